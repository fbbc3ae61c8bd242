/**
 * JSON Schema (draft-07) for Sigstore `trusted_root.json`, written from the protobuf-specs
 * messages `dev.sigstore.trustroot.v1.TrustedRoot`, `TransparencyLogInstance` and
 * `CertificateAuthority` in their canonical protobuf JSON form (camelCase fields, base64
 * bytes, RFC 3339 timestamps). Unknown fields are allowed, as protobuf JSON readers allow
 * them, so newer minor versions still load; every field we use is typed strictly.
 */
const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/_-]*={0,2}$' } as const;
const timestamp = { type: 'string', minLength: 1 } as const;
const timeRange = {
  type: 'object',
  properties: { start: timestamp, end: timestamp },
} as const;

const publicKey = {
  type: 'object',
  required: ['rawBytes'],
  properties: {
    rawBytes: { ...base64, minLength: 4 },
    keyDetails: { type: 'string', minLength: 1 },
    validFor: timeRange,
  },
} as const;

const logId = {
  type: 'object',
  required: ['keyId'],
  properties: { keyId: { ...base64, minLength: 4 } },
} as const;

const transparencyLogInstance = {
  type: 'object',
  required: ['baseUrl', 'hashAlgorithm', 'publicKey', 'logId'],
  properties: {
    baseUrl: { type: 'string', minLength: 1 },
    hashAlgorithm: {
      enum: [
        'SHA2_256',
        'SHA2_384',
        'SHA2_512',
        'SHA3_256',
        'SHA3_384',
        'HASH_ALGORITHM_UNSPECIFIED',
      ],
    },
    publicKey,
    logId,
    checkpointKeyId: logId,
    operator: { type: 'string' },
  },
} as const;

const certificateAuthority = {
  type: 'object',
  required: ['certChain'],
  properties: {
    subject: {
      type: 'object',
      properties: { organization: { type: 'string' }, commonName: { type: 'string' } },
    },
    uri: { type: 'string' },
    certChain: {
      type: 'object',
      required: ['certificates'],
      properties: {
        certificates: {
          type: 'array',
          minItems: 1,
          maxItems: 10,
          items: {
            type: 'object',
            required: ['rawBytes'],
            properties: { rawBytes: { ...base64, minLength: 4 } },
          },
        },
      },
    },
    validFor: timeRange,
    operator: { type: 'string' },
  },
} as const;

export const TRUSTED_ROOT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://flareo.dev/schemas/sigstore-trusted-root.json',
  title: 'Sigstore TrustedRoot (dev.sigstore.trustroot.v1)',
  type: 'object',
  required: ['mediaType'],
  properties: {
    mediaType: { type: 'string' },
    tlogs: { type: 'array', maxItems: 256, items: transparencyLogInstance },
    certificateAuthorities: { type: 'array', maxItems: 256, items: certificateAuthority },
    ctlogs: { type: 'array', maxItems: 256, items: transparencyLogInstance },
    timestampAuthorities: { type: 'array', maxItems: 256, items: certificateAuthority },
  },
} as const;

/** The TypeScript shape the schema guarantees. */
export interface TrustedRootJson {
  mediaType: string;
  tlogs?: TransparencyLogInstanceJson[];
  certificateAuthorities?: CertificateAuthorityJson[];
  ctlogs?: TransparencyLogInstanceJson[];
  timestampAuthorities?: CertificateAuthorityJson[];
}

export interface TimeRangeJson {
  start?: string;
  end?: string;
}

export interface TransparencyLogInstanceJson {
  baseUrl: string;
  hashAlgorithm: string;
  publicKey: { rawBytes: string; keyDetails?: string; validFor?: TimeRangeJson };
  logId: { keyId: string };
  checkpointKeyId?: { keyId: string };
  operator?: string;
}

export interface CertificateAuthorityJson {
  subject?: { organization?: string; commonName?: string };
  uri?: string;
  certChain: { certificates: { rawBytes: string }[] };
  validFor?: TimeRangeJson;
  operator?: string;
}

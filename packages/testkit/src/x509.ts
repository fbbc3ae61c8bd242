import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { OID_SCT_LIST } from './ct/sct.js';
import { type TestKey, type TestKeyType, testKey, toPem } from './keys.js';
import { seededBytes } from './seed.js';

/** A minted certificate together with the key it certifies. */
export interface TestCertificate {
  /** DER encoding of the certificate. */
  der: Uint8Array;
  /** `-----BEGIN CERTIFICATE-----` PEM of {@link der}. */
  pem: string;
  /** Node's parsed view of {@link der}. */
  x509: X509Certificate;
  /** The subject's key (its private half signs whatever this certificate vouches for). */
  key: TestKey;
  /** Subject common name; `''` for Fulcio-style leaves, whose subject is empty. */
  subject: string;
}

/** Key usages a CA certificate may carry. */
export type CaKeyUsage = 'digitalSignature' | 'keyCertSign' | 'cRLSign';
/** Key usages a leaf certificate may carry. */
export type LeafKeyUsage = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign';
/** Extended key usages known to the test kit. */
export type TestExtendedKeyUsage = 'codeSigning' | 'serverAuth' | 'clientAuth';

/** Options for {@link createCertificateAuthority}. */
export interface CaOptions {
  /** Seed for the CA key and serial number. Default `'flareo'`. */
  seed?: string;
  /**
   * Subject CN. Default `'Flareo Test Root CA'` for a self-signed root,
   * `'Flareo Test Intermediate CA'` when {@link issuer} is given.
   */
  commonName?: string;
  /** Subject O. Default `'flareo.test'`. */
  organization?: string;
  /** Key type of the CA's own key. Default `'ecdsa-p384'`. */
  keyType?: TestKeyType;
  /** Issuing CA. Default: none, the certificate is a self-signed root. */
  issuer?: TestCertificate;
  /** Start of validity. Default `2020-01-01T00:00:00Z`. */
  notBefore?: Date;
  /** End of validity. Default `2040-01-01T00:00:00Z`. */
  notAfter?: Date;
  /** basicConstraints pathLenConstraint. Default: absent for a root, `0` for an intermediate. */
  pathLenConstraint?: number;
  /** basicConstraints cA flag. Default `true`; `false` mints a broken "CA" for negative tests. */
  isCA?: boolean;
  /** keyUsage bits (critical extension). Default `['keyCertSign', 'cRLSign']`. */
  keyUsage?: CaKeyUsage[];
  /** extendedKeyUsage purposes. Default: no EKU extension (Fulcio's intermediate has `codeSigning`). */
  extendedKeyUsage?: ('codeSigning' | 'serverAuth')[];
  /**
   * Leave out subjectKeyIdentifier and authorityKeyIdentifier. Default `false`: SKI is the
   * SHA-1 of the subject public key bits, AKI is the issuer's SKI (its own for a root).
   */
  omitKeyIdentifiers?: boolean;
}

/** GitHub Actions claims Fulcio copies from the OIDC token into leaf certificates. */
export interface GitHubWorkflowClaims {
  /** 1.3.6.1.4.1.57264.1.2 (legacy, raw string), e.g. `'push'`. */
  workflowTrigger?: string;
  /** 1.3.6.1.4.1.57264.1.3 (legacy, raw string): commit SHA. */
  workflowSha?: string;
  /** 1.3.6.1.4.1.57264.1.4 (legacy, raw string): workflow name. */
  workflowName?: string;
  /** 1.3.6.1.4.1.57264.1.5 (legacy, raw string): `owner/repo`. */
  workflowRepository?: string;
  /** 1.3.6.1.4.1.57264.1.6 (legacy, raw string): git ref. */
  workflowRef?: string;
  /** 1.3.6.1.4.1.57264.1.12 (UTF8String). */
  sourceRepositoryUri?: string;
  /** 1.3.6.1.4.1.57264.1.14 (UTF8String). */
  sourceRepositoryRef?: string;
  /** 1.3.6.1.4.1.57264.1.13 (UTF8String). */
  sourceRepositoryDigest?: string;
  /** 1.3.6.1.4.1.57264.1.9 (UTF8String). */
  buildSignerUri?: string;
  /** 1.3.6.1.4.1.57264.1.11 (UTF8String), e.g. `'github-hosted'`. */
  runnerEnvironment?: string;
  /** 1.3.6.1.4.1.57264.1.21 (UTF8String). */
  runInvocationUri?: string;
}

/** The workflow identity used in default leaves. */
export const DEFAULT_WORKFLOW_URI =
  'https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/v1.0.0';
/** The OIDC issuer written into default leaves. */
export const DEFAULT_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

const DEMO_SHA = createHash('sha1').update('flareo/demo@v1.0.0').digest('hex');

/** The GitHub claims of default leaves: a tag-triggered release of `flareo/demo`. */
export const DEFAULT_GITHUB_CLAIMS: Readonly<Required<GitHubWorkflowClaims>> = Object.freeze({
  workflowTrigger: 'push',
  workflowSha: DEMO_SHA,
  workflowName: 'Release',
  workflowRepository: 'flareo/demo',
  workflowRef: 'refs/tags/v1.0.0',
  sourceRepositoryUri: 'https://github.com/flareo/demo',
  sourceRepositoryRef: 'refs/tags/v1.0.0',
  sourceRepositoryDigest: DEMO_SHA,
  buildSignerUri: DEFAULT_WORKFLOW_URI,
  runnerEnvironment: 'github-hosted',
  runInvocationUri: 'https://github.com/flareo/demo/actions/runs/1234567890/attempts/1',
});

/** Options for {@link createLeafCertificate}. */
export interface LeafOptions {
  /** Issuing CA (required). */
  issuer: TestCertificate;
  /** Seed for the leaf key and serial number. Default `'flareo'`. */
  seed?: string;
  /** Key type of the leaf key. Default `'ecdsa-p256'`. */
  keyType?: TestKeyType;
  /** Start of validity. Default `2024-01-01T00:00:00Z`. */
  notBefore?: Date;
  /** End of validity. Default {@link notBefore} + 10 minutes (Fulcio-style). */
  notAfter?: Date;
  /**
   * subjectAltName entries (critical, since the subject is empty as in Fulcio).
   * Default `{ uri: [DEFAULT_WORKFLOW_URI] }`; `{}` (or only empty lists) → no SAN extension.
   */
  san?: { uri?: string[]; email?: string[]; dns?: string[] };
  /** Leave out the SAN extension entirely. Default `false`. */
  omitSan?: boolean;
  /**
   * OIDC issuer, written both as 1.3.6.1.4.1.57264.1.1 (raw string bytes, legacy) and
   * 1.3.6.1.4.1.57264.1.8 (DER UTF8String). Default `DEFAULT_OIDC_ISSUER`; `null` → neither.
   */
  oidcIssuer?: string | null;
  /**
   * GitHub workflow claims. Default {@link DEFAULT_GITHUB_CLAIMS}. When given, exactly the
   * provided fields are written (no merge with the defaults; `{}` writes none) — spread
   * `DEFAULT_GITHUB_CLAIMS` to change a single claim.
   */
  github?: GitHubWorkflowClaims;
  /** Additional extensions appended after the others. `critical` defaults to `false`. */
  extraExtensions?: { oid: string; critical?: boolean; value: Uint8Array }[];
  /**
   * basicConstraints cA flag. Default `false`; `true` mints a broken leaf for negative tests.
   * Node's `x509.ca` (OpenSSL `X509_check_ca`) is only `true` when {@link keyUsage} also has
   * `keyCertSign`.
   */
  isCA?: boolean;
  /** extendedKeyUsage purposes. Default `['codeSigning']`; `null` → no EKU extension. */
  extendedKeyUsage?: TestExtendedKeyUsage[] | null;
  /** keyUsage bits (critical extension). Default `['digitalSignature']`. */
  keyUsage?: LeafKeyUsage[];
  /** Raw extnValue for the SCT list extension 1.3.6.1.4.1.11129.2.4.2. Default: absent. */
  sctExtension?: Uint8Array;
}

/** A Fulcio-like root → intermediate chain that mints leaves on demand. */
export interface FulcioChain {
  /** Self-signed root CA. */
  root: TestCertificate;
  /** Intermediate CA (pathLen 0, EKU codeSigning) issued by {@link root}. */
  intermediate: TestCertificate;
  /** Mint a leaf issued by {@link intermediate}; `seed` defaults to the chain's seed. */
  leaf(options?: Omit<LeafOptions, 'issuer'>): TestCertificate;
}

/** Options for {@link createFulcioChain}. */
export interface FulcioChainOptions {
  /** Seed for both CA keys and the default leaf seed. Default `'flareo'`. */
  seed?: string;
  /** Root key type. Default `'ecdsa-p384'`. */
  rootKeyType?: TestKeyType;
  /** Intermediate key type. Default `'ecdsa-p384'`. */
  intermediateKeyType?: TestKeyType;
}

const FULCIO_OID = '1.3.6.1.4.1.57264.1';
const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

const EKU_OIDS: Record<TestExtendedKeyUsage, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
};

const KEY_USAGE_FLAGS: Record<CaKeyUsage | LeafKeyUsage, number> = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  keyEncipherment: KeyUsageFlags.keyEncipherment,
  keyCertSign: KeyUsageFlags.keyCertSign,
  cRLSign: KeyUsageFlags.cRLSign,
};

/** Legacy (raw string) GitHub claim OIDs. */
const LEGACY_CLAIMS: [keyof GitHubWorkflowClaims, number][] = [
  ['workflowTrigger', 2],
  ['workflowSha', 3],
  ['workflowName', 4],
  ['workflowRepository', 5],
  ['workflowRef', 6],
];
/** v2 (DER UTF8String) GitHub claim OIDs, in OID order. */
const V2_CLAIMS: [keyof GitHubWorkflowClaims, number][] = [
  ['buildSignerUri', 9],
  ['runnerEnvironment', 11],
  ['sourceRepositoryUri', 12],
  ['sourceRepositoryDigest', 13],
  ['sourceRepositoryRef', 14],
  ['runInvocationUri', 21],
];

const TEN_MINUTES = 10 * 60 * 1000;

/** PEM-encode a DER certificate (`-----BEGIN CERTIFICATE-----`, 64-character lines). */
export function certificateToPem(der: Uint8Array): string {
  return toPem('CERTIFICATE', der);
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** DER UTF8String (tag 0x0c). */
function derUtf8String(value: string): Uint8Array {
  const body = Buffer.from(value, 'utf8');
  return new Uint8Array(Buffer.concat([Uint8Array.of(0x0c), derLength(body.length), body]));
}

function extension(oid: string, critical: boolean, value: Uint8Array | ArrayBuffer): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(value) });
}

function signatureAlgorithm(issuerKey: TestKey): {
  id: AlgorithmIdentifier;
  hash: 'sha256' | 'sha384' | 'sha512';
} {
  switch (issuerKey.type) {
    case 'ecdsa-p256':
      return { id: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }), hash: 'sha256' };
    case 'ecdsa-p384':
      return { id: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }), hash: 'sha384' };
    case 'ecdsa-p521':
      return { id: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.4' }), hash: 'sha512' };
    case 'ed25519':
      return { id: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), hash: 'sha512' };
    default:
      return {
        id: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null }),
        hash: 'sha256',
      };
  }
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]+$/;

function attribute(type: string, value: string): RelativeDistinguishedName {
  const attr = PRINTABLE.test(value)
    ? new AttributeValue({ printableString: value })
    : new AttributeValue({ utf8String: value });
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: attr })]);
}

function subjectName(organization: string | undefined, commonName: string | undefined): Name {
  const rdns: RelativeDistinguishedName[] = [];
  if (organization) rdns.push(attribute(OID_O, organization));
  if (commonName) rdns.push(attribute(OID_CN, commonName));
  return new Name(rdns);
}

/** SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2 method 1). */
function keyIdentifier(spki: SubjectPublicKeyInfo): Uint8Array {
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest());
}

function keyUsage(usages: readonly (CaKeyUsage | LeafKeyUsage)[]): Extension | undefined {
  if (usages.length === 0) return undefined;
  const flags = usages.reduce((acc, usage) => acc | KEY_USAGE_FLAGS[usage], 0);
  return extension(id_ce_keyUsage, true, AsnConvert.serialize(new KeyUsage(flags)));
}

function extendedKeyUsage(usages: readonly TestExtendedKeyUsage[]): Extension | undefined {
  if (usages.length === 0) return undefined;
  const eku = new ExtendedKeyUsage(usages.map((usage) => EKU_OIDS[usage]));
  return extension(id_ce_extKeyUsage, false, AsnConvert.serialize(eku));
}

function basicConstraints(isCA: boolean, pathLen: number | undefined): Extension {
  const bc = new BasicConstraints({ cA: isCA });
  if (pathLen !== undefined) bc.pathLenConstraint = pathLen;
  return extension(id_ce_basicConstraints, true, AsnConvert.serialize(bc));
}

function subjectKeyIdentifier(ski: Uint8Array): Extension {
  return extension(
    id_ce_subjectKeyIdentifier,
    false,
    AsnConvert.serialize(new SubjectKeyIdentifier(ski)),
  );
}

function authorityKeyIdentifier(aki: Uint8Array): Extension {
  const value = new AuthorityKeyIdentifier({ keyIdentifier: new SubjectKeyIdentifier(aki) });
  return extension(id_ce_authorityKeyIdentifier, false, AsnConvert.serialize(value));
}

interface IssuerInfo {
  name: Name;
  key: TestKey;
  ski: Uint8Array | undefined;
}

function issuerInfo(issuer: TestCertificate): IssuerInfo {
  const tbs = AsnConvert.parse(issuer.der, Certificate).tbsCertificate;
  const skiExt = tbs.extensions?.find((ext) => ext.extnID === id_ce_subjectKeyIdentifier);
  const ski = skiExt
    ? new Uint8Array(AsnConvert.parse(skiExt.extnValue, SubjectKeyIdentifier).buffer)
    : undefined;
  return { name: tbs.subject, key: issuer.key, ski };
}

/** Positive, minimal-DER 16-byte serial drawn from the seed and the rest of the TBS. */
function serialNumber(seed: string, tbs: TBSCertificate): ArrayBuffer {
  tbs.serialNumber = Uint8Array.of(1).buffer;
  const digest = createHash('sha256')
    .update(new Uint8Array(AsnConvert.serialize(tbs)))
    .digest();
  const serial = seededBytes(seed, `x509-serial:${digest.toString('hex')}`, 16);
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01;
  return arrayBuffer(serial);
}

interface MintParams {
  seed: string;
  subject: Name;
  subjectKey: TestKey;
  issuer: IssuerInfo;
  notBefore: Date;
  notAfter: Date;
  extensions: Extension[];
  commonName: string;
}

function mint(params: MintParams): TestCertificate {
  const { id, hash } = signatureAlgorithm(params.issuer.key);
  const tbs = new TBSCertificate({
    version: Version.v3,
    signature: id,
    issuer: params.issuer.name,
    validity: new Validity({ notBefore: params.notBefore, notAfter: params.notAfter }),
    subject: params.subject,
    subjectPublicKeyInfo: AsnConvert.parse(params.subjectKey.spki, SubjectPublicKeyInfo),
  });
  if (params.extensions.length > 0) tbs.extensions = new Extensions(params.extensions);
  tbs.serialNumber = serialNumber(params.seed, tbs);
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = params.issuer.key.sign(tbsDer, { hash });
  const cert = new Certificate({
    tbsCertificate: tbs,
    tbsCertificateRaw: arrayBuffer(tbsDer),
    signatureAlgorithm: id,
    signatureValue: arrayBuffer(signature),
  });
  const der = new Uint8Array(AsnConvert.serialize(cert));
  return {
    der,
    pem: certificateToPem(der),
    x509: new X509Certificate(der),
    key: params.subjectKey,
    subject: params.commonName,
  };
}

/** Copy bytes into a fresh, exactly-sized ArrayBuffer. */
function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function compact<T>(items: (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

/** Mint a CA certificate: a self-signed root, or an intermediate when `issuer` is given. */
export function createCertificateAuthority(options: CaOptions = {}): TestCertificate {
  const seed = options.seed ?? 'flareo';
  const isRoot = options.issuer === undefined;
  const commonName =
    options.commonName ?? (isRoot ? 'Flareo Test Root CA' : 'Flareo Test Intermediate CA');
  const organization = options.organization ?? 'flareo.test';
  const keyType = options.keyType ?? 'ecdsa-p384';
  const subjectKey = testKey(keyType, `${seed}:ca:${commonName}`);
  const subject = subjectName(organization, commonName);
  const ski = keyIdentifier(AsnConvert.parse(subjectKey.spki, SubjectPublicKeyInfo));
  const issuer: IssuerInfo = options.issuer
    ? issuerInfo(options.issuer)
    : { name: subject, key: subjectKey, ski };
  const omitIds = options.omitKeyIdentifiers ?? false;
  const extensions = compact([
    keyUsage(options.keyUsage ?? ['keyCertSign', 'cRLSign']),
    extendedKeyUsage(options.extendedKeyUsage ?? []),
    basicConstraints(options.isCA ?? true, options.pathLenConstraint ?? (isRoot ? undefined : 0)),
    omitIds ? undefined : subjectKeyIdentifier(ski),
    omitIds || !issuer.ski ? undefined : authorityKeyIdentifier(issuer.ski),
  ]);
  return mint({
    seed,
    subject,
    subjectKey,
    issuer,
    notBefore: options.notBefore ?? new Date('2020-01-01T00:00:00Z'),
    notAfter: options.notAfter ?? new Date('2040-01-01T00:00:00Z'),
    extensions,
    commonName,
  });
}

/** Mint a Fulcio-style leaf: empty subject, critical SAN, OIDC issuer and GitHub claims. */
export function createLeafCertificate(options: LeafOptions): TestCertificate {
  const seed = options.seed ?? 'flareo';
  const subjectKey = testKey(options.keyType ?? 'ecdsa-p256', `${seed}:leaf`);
  const issuer = issuerInfo(options.issuer);
  const ski = keyIdentifier(AsnConvert.parse(subjectKey.spki, SubjectPublicKeyInfo));
  const notBefore = options.notBefore ?? new Date('2024-01-01T00:00:00Z');
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + TEN_MINUTES);

  const san = options.san ?? { uri: [DEFAULT_WORKFLOW_URI] };
  const names = [
    ...(san.uri ?? []).map((uri) => new GeneralName({ uniformResourceIdentifier: uri })),
    ...(san.email ?? []).map((email) => new GeneralName({ rfc822Name: email })),
    ...(san.dns ?? []).map((dns) => new GeneralName({ dNSName: dns })),
  ];
  const sanExt =
    options.omitSan || names.length === 0
      ? undefined
      : extension(
          id_ce_subjectAltName,
          true,
          AsnConvert.serialize(new SubjectAlternativeName(names)),
        );

  const oidcIssuer = options.oidcIssuer === undefined ? DEFAULT_OIDC_ISSUER : options.oidcIssuer;
  const github = options.github ?? DEFAULT_GITHUB_CLAIMS;
  const claimExt = (
    [key, arc]: [keyof GitHubWorkflowClaims, number],
    encode: (value: string) => Uint8Array,
  ): Extension | undefined => {
    const value = github[key];
    return value === undefined
      ? undefined
      : extension(`${FULCIO_OID}.${arc}`, false, encode(value));
  };
  const raw = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'utf8'));

  const extensions = compact([
    keyUsage(options.keyUsage ?? ['digitalSignature']),
    options.extendedKeyUsage === null
      ? undefined
      : extendedKeyUsage(options.extendedKeyUsage ?? ['codeSigning']),
    basicConstraints(options.isCA ?? false, undefined),
    subjectKeyIdentifier(ski),
    issuer.ski ? authorityKeyIdentifier(issuer.ski) : undefined,
    sanExt,
    oidcIssuer === null ? undefined : extension(`${FULCIO_OID}.1`, false, raw(oidcIssuer)),
    ...LEGACY_CLAIMS.map((claim) => claimExt(claim, raw)),
    oidcIssuer === null
      ? undefined
      : extension(`${FULCIO_OID}.8`, false, derUtf8String(oidcIssuer)),
    ...V2_CLAIMS.map((claim) => claimExt(claim, derUtf8String)),
    options.sctExtension ? extension(OID_SCT_LIST, false, options.sctExtension) : undefined,
    ...(options.extraExtensions ?? []).map((ext) =>
      extension(ext.oid, ext.critical ?? false, ext.value),
    ),
  ]);

  return mint({
    seed,
    subject: new Name([]),
    subjectKey,
    issuer,
    notBefore,
    notAfter,
    extensions,
    commonName: '',
  });
}

const chainCache = new Map<string, FulcioChain>();

/**
 * A Fulcio-like chain: self-signed root and an intermediate (pathLen 0, EKU codeSigning),
 * both P-384 by default. Memoized by its (defaulted) options.
 */
export function createFulcioChain(options: FulcioChainOptions = {}): FulcioChain {
  const seed = options.seed ?? 'flareo';
  const rootKeyType = options.rootKeyType ?? 'ecdsa-p384';
  const intermediateKeyType = options.intermediateKeyType ?? 'ecdsa-p384';
  const cacheKey = JSON.stringify([seed, rootKeyType, intermediateKeyType]);
  const cached = chainCache.get(cacheKey);
  if (cached) return cached;
  const root = createCertificateAuthority({ seed, keyType: rootKeyType });
  const intermediate = createCertificateAuthority({
    seed,
    keyType: intermediateKeyType,
    issuer: root,
    pathLenConstraint: 0,
    extendedKeyUsage: ['codeSigning'],
  });
  const chain: FulcioChain = {
    root,
    intermediate,
    leaf: (leafOptions = {}) =>
      createLeafCertificate({ seed, ...leafOptions, issuer: intermediate }),
  };
  chainCache.set(cacheKey, chain);
  return chain;
}

/**
 * Broken leaves issued by `chain.intermediate`, one defect each, for negative tests:
 * `expired` (2020-01-01, 10 minutes), `notYetValid` (2039-01-01, 10 minutes), `caLeaf`
 * (basicConstraints cA=true plus keyCertSign, so Node's `x509.ca` is true too), `wrongEku`
 * (serverAuth only), `noEku` (no EKU extension) and `noSan` (no SAN extension).
 */
export function brokenLeaves(chain: FulcioChain): {
  expired: TestCertificate;
  notYetValid: TestCertificate;
  caLeaf: TestCertificate;
  wrongEku: TestCertificate;
  noEku: TestCertificate;
  noSan: TestCertificate;
} {
  return {
    expired: chain.leaf({ notBefore: new Date('2020-01-01T00:00:00Z') }),
    notYetValid: chain.leaf({ notBefore: new Date('2039-01-01T00:00:00Z') }),
    caLeaf: chain.leaf({ isCA: true, keyUsage: ['digitalSignature', 'keyCertSign'] }),
    wrongEku: chain.leaf({ extendedKeyUsage: ['serverAuth'] }),
    noEku: chain.leaf({ extendedKeyUsage: null }),
    noSan: chain.leaf({ omitSan: true }),
  };
}

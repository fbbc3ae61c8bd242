import { resultSchema } from '@flareo/policy/documents';
import { openVexSchema } from '@flareo/vex/advanced';
import { ADMISSION_FILE_PATTERN } from './admission.js';
import { SLUG_PATTERN } from './errors.js';

/** Longest request target (path and query) served; longer ones are refused with 414. */
export const MAX_URL_LENGTH = 8192;

// The OpenAPI 3.1 description of every route. Schemas that a Flareo package ships (the
// policy result, OpenVEX) are embedded from the package so the description cannot drift.

// Package schemas keep their `$id`: in OpenAPI 3.1 (JSON Schema 2020-12) that makes each
// an embedded schema resource, so their internal `#/$defs/...` references still resolve.

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const slugParam = {
  name: 'slug',
  in: 'path',
  required: true,
  description: 'Module slug: lowercase letters, digits and inner hyphens, 1–63 characters.',
  schema: { type: 'string', pattern: SLUG_PATTERN },
};
const errors = {
  '400': json(
    ref('Error'),
    'The slug is invalid (`SLUG_INVALID`), or the request is (`URL_INVALID`, `BAD_REQUEST`).',
  ),
  '404': json(ref('Error'), 'No such module (`MODULE_NOT_FOUND`).'),
};
/** Errors of the HTTP layer that any operation can answer. */
const httpErrors = {
  '400': json(
    ref('Error'),
    'The request is malformed: an undecodable path (`URL_INVALID`) or a request Node’s HTTP parser refuses (`BAD_REQUEST`, `detail.reason` the parser’s code).',
  ),
  '414': json(
    ref('Error'),
    `The request target is longer than ${MAX_URL_LENGTH} characters (\`URI_TOO_LONG\`).`,
  ),
  '431': json(
    ref('Error'),
    'The request line and headers exceed Node’s limit of 16 KiB (`HEADERS_TOO_LARGE`); the connection is closed.',
  ),
};
/** Every code an error body can carry, with its status. */
const ERROR_CODES =
  'Catalog codes: `SLUG_INVALID` (400), `MODULE_NOT_FOUND` (404), `MODULE_EXISTS` (409, publishing another module under a stored slug), the verification codes `MODULE_FILE_MISSING`, `MODULE_FILE_INVALID`, `ARTIFACT_DIGEST_MISMATCH`, `SIGNATURE_REJECTED`, `PROVENANCE_REJECTED`, `ATTESTATION_REJECTED`, `SBOM_INVALID`, `VEX_INVALID`, `SCAN_INVALID` (422, a published module that does not verify), `INTERNAL` (500). HTTP-layer codes: `BAD_REQUEST`, `URL_INVALID`, `BODY_INVALID` (400), `UNAUTHORIZED` (401, publishing without a known bearer token), `FORBIDDEN` (403, a token without the publish scope), `NOT_FOUND` (404, an unknown route), `METHOD_NOT_ALLOWED` (405, any method but GET and HEAD on a known path, and POST on /api/v1/modules, with `Allow`), `REQUEST_TIMEOUT` (408), `PAYLOAD_TOO_LARGE` (413), `URI_TOO_LONG` (414), `UNSUPPORTED_MEDIA_TYPE` (415), `HEADERS_TOO_LARGE` (431). Only `POST /api/v1/modules` takes a body: a body sent with GET is ignored, and one sent with another method is answered 405 or 404 without being read.';

const dateTime = { type: 'string', format: 'date-time' };
const bundleBody = (description: string) => ({
  description,
  content: {
    'application/vnd.dev.sigstore.bundle.v0.3+json': { schema: { type: 'object' } },
    'application/vnd.dev.sigstore.bundle+json;version=0.2': { schema: { type: 'object' } },
    'application/vnd.dev.sigstore.bundle+json;version=0.1': { schema: { type: 'object' } },
    'application/json': { schema: { type: 'object' } },
  },
});
const admissionFileParam = {
  name: 'file',
  in: 'path',
  required: true,
  description:
    'Manifest and format: `kyverno-verify-images`, `policy-controller` or `kyverno-verdict`, then `.yaml` or `.json`.',
  schema: { type: 'string', pattern: ADMISSION_FILE_PATTERN },
};
const admissionBody = {
  description: 'The manifest (one Kubernetes object).',
  content: {
    'application/yaml': { schema: { type: 'string' } },
    'application/json': {
      schema: { type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'] },
    },
  },
};
const counts = {
  type: 'object',
  properties: {
    unaddressed: { type: 'integer' },
    under_investigation: { type: 'integer' },
    affected: { type: 'integer' },
    open: { type: 'integer' },
    suppressed: { type: 'integer' },
  },
};

/** The OpenAPI document served at `/api/v1/openapi.json`. */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const moduleOp = (
    summary: string,
    description: string,
    ok: unknown,
    extra: Record<string, unknown> = {},
  ) => ({
    get: {
      summary,
      description,
      parameters: [slugParam, ...((extra.parameters as unknown[]) ?? [])],
      responses: { '200': ok, ...errors, ...((extra.responses as object) ?? {}) },
    },
  });
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Flareo catalog API',
      version: '1.0.0',
      description:
        'A self-hostable module catalog: every module was verified at ingest (signature and Rekor evidence with @flareo/bundle-verify, SLSA provenance, SBOM, Trivy report, OpenVEX); scores come from @flareo/trust-score and verdicts from @flareo/policy.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: serverUrl }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Health',
          responses: { '200': json(ref('Health'), 'The server is up and the store is loaded.') },
        },
      },
      '/api/v1/modules': {
        get: {
          summary: 'List modules',
          description:
            'The modules with their trust score, status and admission verdict, by slug, a page at a time: `limit` modules (default 100, at most 1000) after the slug `after`; `next` is the URL of the following page, null on the last.',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
            {
              name: 'after',
              in: 'query',
              required: false,
              description: 'The last slug of the previous page.',
              schema: { type: 'string', pattern: SLUG_PATTERN },
            },
          ],
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['modules', 'next'],
                properties: {
                  modules: { type: 'array', items: ref('ModuleSummary') },
                  next: { type: ['string', 'null'] },
                },
              },
              'One page of modules, by slug.',
            ),
            ...errors,
          },
        },
        post: {
          summary: 'Publish a module',
          description:
            'Upload a module directory as an uncompressed tar archive (`Content-Type: application/x-tar`; the files at the root or under one top-level directory; only regular files and directories). Needs `Authorization: Bearer <token>` of a token with the `publish` or `admin` scope (catalog.json `tokens`). The module is verified and stored exactly as `flareo-catalog ingest` does, in one transaction. 201 when stored; 200 when exactly this module (the same files) is stored already; 409 `MODULE_EXISTS` for another module under a stored slug; 422 with the verification code when it does not verify; 413 `PAYLOAD_TOO_LARGE` over the upload limit (32 MiB by default). Publishes of one slug run one after the other.',
          security: [{ bearer: [] }],
          requestBody: {
            required: true,
            content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: {
            '201': json(ref('ModuleSummary'), 'Stored: the module summary with `created: true`.'),
            '200': json(ref('ModuleSummary'), 'Already stored: `created: false`.'),
            '401': json(ref('Error'), '`UNAUTHORIZED`: no bearer token, or an unknown one.'),
            '403': json(ref('Error'), '`FORBIDDEN`: the token lacks the publish scope.'),
            '409': json(ref('Error'), '`MODULE_EXISTS`: another module has this slug.'),
            '413': json(ref('Error'), '`PAYLOAD_TOO_LARGE`: the archive is over the limit.'),
            '415': json(ref('Error'), '`UNSUPPORTED_MEDIA_TYPE`: not `application/x-tar`.'),
            '422': json(
              ref('Error'),
              'The module does not verify; `code` says which check refused it.',
            ),
            ...errors,
          },
        },
      },
      '/api/v1/modules/{slug}/verify': {
        post: {
          summary: 'Verify a module again now',
          description:
            'Verifies the stored module again from its stored files against the current trust root and settings, as the background re-verification does, and records the outcome. Needs a bearer token with the `admin` scope. A module that no longer verifies is no longer served (`served: false`, `verification.outcome: failed` with the error code).',
          security: [{ bearer: [] }],
          parameters: [slugParam],
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['slug', 'served', 'verification'],
                properties: {
                  slug: { type: 'string', pattern: SLUG_PATTERN },
                  served: { type: 'boolean' },
                  verification: { type: ['object', 'null'] },
                },
              },
              'The new verification record.',
            ),
            '401': json(ref('Error'), '`UNAUTHORIZED`: no bearer token, or an unknown one.'),
            '403': json(ref('Error'), '`FORBIDDEN`: the token lacks the admin scope.'),
            ...errors,
          },
        },
      },
      '/api/v1/modules/{slug}': moduleOp(
        'Module detail',
        'Signature identity and Rekor entry, provenance, SBOM completeness, findings after VEX (open and suppressed with impact statements), score and verdict.',
        json(ref('ModuleDetail'), 'The module.'),
      ),
      '/api/v1/modules/{slug}/vex': moduleOp(
        'Merged OpenVEX document',
        'The module’s OpenVEX documents merged by @flareo/vex (supersession by @id and version). Strong ETag; send If-None-Match to get 304.',
        {
          description: 'The merged OpenVEX 0.2.0 document.',
          headers: {
            ETag: {
              schema: { type: 'string' },
              description: 'Strong ETag: the quoted SHA-256 of the body.',
            },
          },
          content: { 'application/json': { schema: ref('OpenVex') } },
        },
        {
          parameters: [
            { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
          ],
          responses: { '304': { description: 'The document has not changed.' } },
        },
      ),
      '/api/v1/modules/{slug}/policy': moduleOp(
        'Admission verdict',
        'The OPA Data API body of @flareo/policy for this module: verdict, allow, deny, warn and the per-rule breakdown. `input` is the document the policy evaluated.',
        json(
          {
            type: 'object',
            required: ['result'],
            properties: {
              result: ref('PolicyResult'),
              input: { type: 'object' },
              evaluated_at: dateTime,
            },
          },
          'The decision.',
        ),
        {
          parameters: [
            {
              name: 'include',
              in: 'query',
              required: false,
              description:
                '`input` adds `input`: the input document the policy evaluated (the facts about the module), to re-evaluate it elsewhere, e.g. `flareo policy eval --input`.',
              schema: { enum: ['input'] },
            },
          ],
        },
      ),
      '/api/v1/modules/{slug}/score': moduleOp(
        'Trust score',
        'The @flareo/trust-score result with one explanation per signal.',
        json(ref('TrustScore'), 'The score.'),
      ),
      '/api/v1/modules/{slug}/attestations': moduleOp(
        'Attestations',
        'The Sigstore signature bundle, the SLSA provenance bundle with its in-toto statement, and the CycloneDX SBOM.',
        json(
          {
            type: 'object',
            required: ['digest', 'signature', 'provenance', 'sbom'],
            properties: {
              digest: { type: 'string' },
              signature: {
                type: 'object',
                properties: { bundle: { type: 'object' }, verification: { type: 'object' } },
              },
              provenance: {
                type: 'object',
                properties: {
                  bundle: { type: 'object' },
                  statement: { type: 'object' },
                  verification: { type: 'object' },
                },
              },
              sbom: { type: 'object' },
              parts: {
                type: 'array',
                description:
                  'The signed parts, each with its attestation `bundle` when signed: a DSSE Sigstore bundle (`format` `sigstore-bundle`), or a legacy cosign bundle whose `base64Signature` holds the DSSE envelope (`format` `cosign-legacy-bundle`, from a cosign `.att` tag).',
                items: { type: 'object' },
              },
            },
          },
          'The attestations.',
        ),
      ),
      '/api/v1/modules/{slug}/attestations/signature.sigstore.json': moduleOp(
        'Signature bundle',
        'The module’s Sigstore bundle alone, for `flareo verify --bundle` or `cosign verify-blob --bundle`. Served with the bundle’s own media type (its `mediaType`, e.g. `application/vnd.dev.sigstore.bundle.v0.3+json`).',
        bundleBody('The Sigstore bundle of the signature.'),
      ),
      '/api/v1/modules/{slug}/attestations/signature.cosign.json': moduleOp(
        'Cosign signature record',
        'For a module whose image is signed the cosign way (a `sha256-<digest>.sig` layer): what the catalog verified, `{ mediaType, image, origin, payload (base64 simple-signing payload), annotations (signature, certificate, chain, Rekor bundle, RFC 3161 timestamp) }`. 404 `NOT_FOUND` for a module signed with a Sigstore bundle (and `signature.sigstore.json` is 404 for a cosign-signed one).',
        json(
          { type: 'object', required: ['mediaType', 'image', 'origin', 'payload', 'annotations'] },
          'The cosign signature record.',
        ),
      ),
      '/api/v1/modules/{slug}/attestations/provenance.sigstore.json': moduleOp(
        'Provenance bundle',
        'The module’s SLSA provenance as a DSSE Sigstore bundle, with the bundle’s own media type.',
        bundleBody('The Sigstore bundle of the provenance.'),
      ),
      '/api/v1/admission/{file}': {
        get: {
          summary: 'Admission policies for every module',
          description:
            'Generated from the catalog’s identity policy and trust root: `kyverno-verify-images` (Kyverno ClusterPolicy, verifyImages with keyless attestors), `policy-controller` (sigstore policy-controller ClusterImagePolicy), `kyverno-verdict` (Kyverno ClusterPolicy denying a Pod whose module’s verdict is `fail`, through apiCall to `/api/v1/modules/{slug}/policy`); `.yaml` or `.json`. See /docs/admission.',
          parameters: [admissionFileParam],
          responses: {
            '200': admissionBody,
            '404': json(ref('Error'), 'No such manifest (`NOT_FOUND`).'),
          },
        },
      },
      '/api/v1/modules/{slug}/admission/{file}': moduleOp(
        'Admission policies for one module',
        'The manifests of `/api/v1/admission/{file}`, covering this module only.',
        admissionBody,
        { parameters: [admissionFileParam] },
      ),
      '/api/v1/trust/trusted_root.json': {
        get: {
          summary: 'Trusted root',
          description:
            'The Sigstore trusted root this catalog verifies against, for offline re-verification.',
          responses: { '200': json({ type: 'object' }, 'trusted_root.json') },
        },
      },
      '/.well-known/vex-repository.json': {
        get: {
          summary: 'VEX repository manifest',
          description: 'VEX Repository Specification v0.1 manifest (`trivy vex repo`).',
          responses: { '200': json({ type: 'object' }, 'The manifest.') },
        },
      },
      '/api/v1/vex-repository/index.json': {
        get: {
          summary: 'VEX repository index',
          responses: { '200': json(ref('VexRepositoryIndex'), 'index.json') },
        },
      },
      '/api/v1/vex-repository/vex-repository.tar.gz': {
        get: {
          summary: 'VEX repository archive',
          description:
            'index.json and every document, as the tar.gz archive the manifest points at.',
          responses: {
            '200': {
              description: 'The archive.',
              content: {
                'application/gzip': {
                  schema: { type: 'string', contentMediaType: 'application/gzip' },
                },
              },
            },
          },
        },
      },
      '/api/v1/vex-repository/pkg/oci/{slug}/vex.json': moduleOp(
        'VEX repository document',
        'A module’s merged OpenVEX document at its repository location.',
        json(ref('OpenVex'), 'The document.'),
      ),
      '/api/v1/openapi.json': {
        get: {
          summary: 'This description',
          responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token of catalog.json `tokens` (stored there as its SHA-256).',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'detail'],
              properties: {
                code: { type: 'string', description: ERROR_CODES },
                message: { type: 'string' },
                detail: { type: 'object' },
              },
            },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'modules'],
          properties: {
            status: { const: 'ok' },
            modules: { type: 'integer' },
            quarantined: { type: 'integer' },
          },
        },
        ModuleSummary: {
          type: 'object',
          required: ['slug', 'name', 'version', 'digest', 'score', 'status', 'verdict'],
          properties: {
            slug: { type: 'string', pattern: SLUG_PATTERN },
            name: { type: 'string' },
            version: { type: 'string' },
            description: { type: 'string' },
            image: { type: 'string' },
            digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
            builtAt: dateTime,
            signedAt: dateTime,
            evaluatedAt: dateTime,
            score: { type: 'integer', minimum: 0, maximum: 100 },
            status: { enum: ['passing', 'warning', 'failing'] },
            verdict: { enum: ['pass', 'warn', 'fail'] },
            allow: { type: 'boolean' },
            lastVerified: {
              ...dateTime,
              description:
                'When the catalog last verified the module (at ingest, then in the background when the trust root or policy changes and on a schedule, a day by default).',
            },
            links: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        ModuleDetail: {
          allOf: [
            ref('ModuleSummary'),
            {
              type: 'object',
              properties: {
                ingestedAt: dateTime,
                verification: {
                  type: 'object',
                  description:
                    'The verification record: when the module was last verified, the SHA-256 of the trusted_root.json and of the verification settings it was verified against, which checks passed, and where the signature came from.',
                  properties: {
                    verifiedAt: dateTime,
                    trustRootDigest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
                    policyHash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
                    checks: { type: 'array', items: { type: 'string' } },
                    signatureSource: { type: 'string' },
                  },
                },
                warnings: {
                  type: 'array',
                  description:
                    'What ingest accepted but reports: an OpenVEX `affected` statement without `action_statement` (`AFFECTED_WITHOUT_ACTION`).',
                  items: {
                    type: 'object',
                    required: ['code', 'file', 'path', 'vulnerability', 'message'],
                    properties: {
                      code: { const: 'AFFECTED_WITHOUT_ACTION' },
                      file: { type: 'string' },
                      path: { type: 'string' },
                      statement: { type: 'string' },
                      vulnerability: { type: 'string' },
                      message: { type: 'string' },
                    },
                  },
                },
                parts: {
                  type: 'array',
                  description:
                    'Each part of the module (contact file, SBOM, Trivy report, every VEX document): whether it came as a signed in-toto attestation, and by whom.',
                  items: {
                    type: 'object',
                    required: ['part', 'file', 'signed'],
                    properties: {
                      part: { enum: ['contact', 'sbom', 'scan', 'vex'] },
                      file: { type: 'string' },
                      signed: { type: 'boolean' },
                      attestation: { type: 'string' },
                      format: {
                        enum: ['sigstore-bundle', 'cosign-legacy-bundle'],
                        description:
                          'How the attestation is stored: a Sigstore bundle, or a legacy cosign bundle (a layer of a cosign `.att` tag).',
                      },
                      predicateType: { type: 'string' },
                      identity: { type: 'string' },
                      issuer: { type: 'string' },
                      logIndex: { type: 'string' },
                    },
                  },
                },
                contact: { type: 'object' },
                signature: {
                  type: 'object',
                  properties: {
                    verifiedBy: { const: 'server' },
                    format: {
                      enum: ['sigstore-bundle', 'cosign-signature'],
                      description:
                        'How the image is signed: a Sigstore bundle, or cosign’s classic `.sig` signature layer.',
                    },
                    formatLabel: { type: 'string' },
                    file: { enum: ['signature.sigstore.json', 'signature.cosign.json'] },
                    identity: { type: ['string', 'null'] },
                    issuer: { type: ['string', 'null'] },
                    signedAt: dateTime,
                    rekor: {
                      oneOf: [ref('RekorEntry'), { type: 'null' }],
                      description: 'The first of `rekorEntries`.',
                    },
                    rekorEntries: { type: 'array', items: ref('RekorEntry') },
                    browserVerification: {
                      type: 'object',
                      description:
                        'How to verify the signature again in a browser, with the library itself: load the ES module `verifier`, fetch `bundle` and `trustedRoot` raw, and verify the bundle over `artifact.digest` with `identity` and `verifierOptions`; the module page does this. `supported` is false (with `reason`) for a cosign signature record or a catalog built without its browser verifier.',
                      properties: {
                        supported: { type: 'boolean' },
                        reason: { type: 'string' },
                        verifier: {
                          type: 'string',
                          description:
                            'URL path of the browser verifier, an ES module named by its content hash (`/assets/verifier-<hash>.js`, cached immutably).',
                        },
                        integrity: { type: 'string', description: 'Its subresource integrity.' },
                        bundle: { type: 'string', description: 'The Sigstore bundle to fetch.' },
                        trustedRoot: { type: 'string' },
                        trustRootDigest: {
                          type: 'string',
                          description: '`sha256:` of the `trusted_root.json` served.',
                        },
                        artifact: {
                          type: 'object',
                          properties: { digest: { type: 'string' } },
                        },
                        identity: {
                          type: 'object',
                          description:
                            "The catalog's identity policy for the module, as `@flareo/bundle-verify` takes it.",
                        },
                        verifierOptions: { type: 'object' },
                      },
                    },
                  },
                },
                provenance: {
                  type: 'object',
                  properties: { rekorEntries: { type: 'array', items: ref('RekorEntry') } },
                },
                sbom: { type: 'object' },
                vulnerabilities: {
                  type: 'object',
                  properties: {
                    residual: { type: 'object', additionalProperties: counts },
                    open: { type: 'array', items: ref('Finding') },
                    suppressed: { type: 'array', items: ref('Finding') },
                  },
                },
                trustScore: ref('TrustScore'),
                policy: { type: 'object' },
              },
            },
          ],
        },
        RekorEntry: {
          type: 'object',
          required: ['logIndex', 'logId', 'uuid', 'publicLog', 'searchUrl'],
          properties: {
            logIndex: { type: 'string' },
            logId: { type: 'string', description: 'Lowercase hex SHA-256 of the log key.' },
            kind: { type: 'string' },
            integratedTime: { type: ['string', 'null'] },
            uuid: {
              type: ['string', 'null'],
              description: 'Entry UUID: hex RFC 6962 leaf hash of the entry body.',
            },
            publicLog: {
              type: 'boolean',
              description:
                'The entry is in Sigstore’s public-good Rekor log (decided by log id against the embedded public-good trusted root).',
            },
            searchUrl: {
              type: ['string', 'null'],
              description:
                'https://search.sigstore.dev/?logIndex=… for public-good entries; null for private logs.',
            },
            checks: { type: 'object' },
          },
        },
        Finding: {
          type: 'object',
          required: ['vulnerability', 'severity', 'disposition'],
          properties: {
            vulnerability: { type: 'string' },
            package: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                version: { type: 'string' },
                purl: { type: 'string' },
              },
            },
            severity: { type: 'string' },
            disposition: { enum: ['suppressed', 'unaddressed', 'under_investigation', 'affected'] },
            status: { type: 'string' },
            justification: { type: 'string' },
            impactStatement: { type: 'string' },
            actionStatement: { type: 'string' },
          },
        },
        TrustScore: {
          type: 'object',
          required: ['score', 'status', 'signals'],
          properties: {
            score: { type: 'integer', minimum: 0, maximum: 100 },
            exactScore: { type: 'number' },
            status: { enum: ['passing', 'warning', 'failing'] },
            statusReason: { type: 'string' },
            signals: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  signal: { enum: ['vulnerabilities', 'slsa', 'freshness', 'sbom'] },
                  weight: { type: 'number' },
                  subscore: { type: 'number' },
                  points: { type: 'number' },
                  reason: { type: 'string' },
                },
              },
            },
            evaluatedAt: dateTime,
          },
        },
        PolicyResult: resultSchema,
        OpenVex: openVexSchema(),
        VexRepositoryIndex: {
          type: 'object',
          required: ['updated_at', 'packages'],
          properties: {
            updated_at: dateTime,
            packages: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'location'],
                properties: {
                  id: { type: 'string' },
                  location: { type: 'string' },
                  format: { enum: ['openvex', 'csaf'] },
                },
              },
            },
          },
        },
      },
    },
  };
  // Every operation can also meet the HTTP layer's own errors.
  for (const item of Object.values(document.paths) as Record<string, { responses: object }>[]) {
    for (const op of Object.values(item)) op.responses = { ...httpErrors, ...op.responses };
  }
  return document;
}

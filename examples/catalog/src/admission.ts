import { publicGoodTrustRoot, type TrustRoot } from '@flareo/trust-root';
import YAML from 'yaml';
import { CatalogError } from './errors.js';
import { publicGoodRekorLogIds } from './rekor.js';
import { type CatalogConfig, type CatalogEntry, identityFor } from './store.js';

// Admission policies generated from what the catalog itself trusts: its identity policy
// (catalog.json) and its trust root (trusted_root.json). Three manifests, catalog-wide or for
// one module:
//   kyverno-verify-images  a Kyverno ClusterPolicy whose verifyImages rules require each
//                          module's image to be signed keylessly by the module's identity
//   policy-controller      a sigstore policy-controller ClusterImagePolicy requiring the same
//   kyverno-verdict        a Kyverno ClusterPolicy that denies a Pod running a module whose
//                          Flareo verdict is `fail`, asking the catalog through apiCall

/** The admission manifests the catalog serves. */
export const ADMISSION_MANIFESTS = [
  'kyverno-verify-images',
  'policy-controller',
  'kyverno-verdict',
] as const;
export type AdmissionManifest = (typeof ADMISSION_MANIFESTS)[number];

/** File names under `/api/v1/admission/` and `/api/v1/modules/{slug}/admission/`. */
export const ADMISSION_FILE_PATTERN = `^(${ADMISSION_MANIFESTS.join('|')})\\.(yaml|json)$`;
const FILE_RE = new RegExp(ADMISSION_FILE_PATTERN);

/** What the generators read. */
export interface AdmissionSource {
  readonly config: CatalogConfig;
  readonly trustRoot: TrustRoot;
  /** The modules the manifests cover (all of them, or one). */
  readonly modules: readonly CatalogEntry[];
  /** Base URL the cluster reaches the catalog at (the verdict policy calls it). */
  readonly catalogUrl: string;
  /** `metadata.name` suffix: absent for catalog-wide manifests, the slug for one module. */
  readonly slug?: string;
}

/**
 * The subject regexp of a module as the manifests carry it: the catalog's identity regexp for
 * the slug (the one ingest verified with), anchored explicitly, because Kyverno and
 * policy-controller match unanchored (Go `regexp.MatchString`).
 */
export function subjectRegExpFor(config: CatalogConfig, slug: string): string {
  const san = identityFor(config, slug).subjectAlternativeName;
  const regexp =
    typeof san === 'object' && san !== null && 'regexp' in san ? san.regexp : undefined;
  if (typeof regexp !== 'string') {
    throw new CatalogError('CONFIG_INVALID', 'catalog.json: no identity regexp', {
      file: 'catalog.json',
      expected: 'identity.subjectAlternativeNameRegexp',
    });
  }
  return `^(?:${regexp})$`;
}

/** The image references of a module: its repository by tag and by digest. */
export const imagePatterns = (entry: CatalogEntry) => [
  `${entry.module.manifest.image}:*`,
  `${entry.module.manifest.image}@*`,
];

const pemKey = (log: TrustRoot['tlogs'][number]) =>
  log.key.keyObject.export({ type: 'spki', format: 'pem' }).toString();

/**
 * True when every Rekor log the catalog trusts is one of Sigstore's public-good logs (by log
 * id, against the public-good trusted root embedded in @flareo/trust-root): the admission
 * controllers' built-in public-good trust then applies and no key is pinned in the manifests.
 */
function publicGoodOnly(trustRoot: TrustRoot): boolean {
  const ids = new Set(publicGoodTrustRoot().tlogs.map((l) => l.logId));
  return trustRoot.tlogs.length > 0 && trustRoot.tlogs.every((l) => ids.has(l.logId));
}

/** The Rekor log the manifests name: the public-good v1 log when trusted, else the first. */
function rekorLog(trustRoot: TrustRoot) {
  const v1 = publicGoodRekorLogIds();
  const log = trustRoot.tlogs.find((l) => v1.has(l.logId)) ?? trustRoot.tlogs[0];
  if (!log) {
    throw new CatalogError('CONFIG_INVALID', 'trusted_root.json has no transparency log', {
      expected: 'a Rekor log',
    });
  }
  return log;
}

/** A DER certificate as a PEM block (base64 in 64-character lines). */
function certificatePem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
}

/** PEM of every certificate of every CA the catalog trusts. */
function rootsPem(trustRoot: TrustRoot): string {
  return trustRoot.certificateAuthorities
    .flatMap((ca) => ca.certificates.map((c) => certificatePem(c.der)))
    .join('\n')
    .concat('\n');
}

const nameOf = (base: string, slug?: string) => (slug ? `${base}-${slug}` : base);
const labels = { 'app.kubernetes.io/managed-by': 'flareo-catalog' };

/** Kyverno `ClusterPolicy` with one `verifyImages` rule per module. */
export function kyvernoVerifyImages(source: AdmissionSource): Record<string, unknown> {
  const { config, trustRoot } = source;
  const log = rekorLog(trustRoot);
  const publicGood = publicGoodOnly(trustRoot);
  const rekor = publicGood
    ? { url: log.baseUrl ?? 'https://rekor.sigstore.dev' }
    : { ...(log.baseUrl ? { url: log.baseUrl } : {}), pubkey: pemKey(log) };
  const ctlog = trustRoot.ctlogs[0];
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name: nameOf('flareo-verify-images', source.slug),
      labels,
      annotations: {
        'policies.kyverno.io/title': `${config.name}: signed module images`,
        'policies.kyverno.io/description': `Every image of a module of ${config.name} must be signed keylessly by the module's release identity, with a Rekor entry (generated from the catalog's identity policy and trust root at ${source.catalogUrl}).`,
      },
    },
    spec: {
      background: false,
      webhookTimeoutSeconds: 30,
      failurePolicy: 'Fail',
      rules: source.modules.map((entry) => ({
        name: `verify-${entry.module.slug}`.slice(0, 63),
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        verifyImages: [
          {
            imageReferences: imagePatterns(entry),
            failureAction: 'Enforce',
            mutateDigest: true,
            verifyDigest: true,
            required: true,
            attestors: [
              {
                count: 1,
                entries: [
                  {
                    keyless: {
                      subjectRegExp: subjectRegExpFor(config, entry.module.slug),
                      issuer: config.identity.issuer,
                      ...(publicGood ? {} : { roots: rootsPem(trustRoot) }),
                      rekor,
                      ctlog: ctlog
                        ? publicGood
                          ? {}
                          : {
                              pubkey: ctlog.key.keyObject
                                .export({ type: 'spki', format: 'pem' })
                                .toString(),
                            }
                        : { ignoreSCT: true },
                    },
                  },
                ],
              },
            ],
          },
        ],
      })),
    },
  };
}

/** Name of the policy-controller `TrustRoot` a private trust root must be installed as. */
export const POLICY_CONTROLLER_TRUST_ROOT = 'flareo-catalog';

/** sigstore policy-controller `ClusterImagePolicy`, one authority per module. */
export function policyControllerImagePolicy(source: AdmissionSource): Record<string, unknown> {
  const { config, trustRoot } = source;
  const log = rekorLog(trustRoot);
  const publicGood = publicGoodOnly(trustRoot);
  return {
    apiVersion: 'policy.sigstore.dev/v1beta1',
    kind: 'ClusterImagePolicy',
    metadata: { name: nameOf('flareo-signed-modules', source.slug), labels },
    spec: {
      mode: 'enforce',
      images: source.modules.flatMap((entry) => imagePatterns(entry).map((glob) => ({ glob }))),
      authorities: source.modules.map((entry) => ({
        name: `flareo-${entry.module.slug}`,
        keyless: {
          identities: [
            {
              issuer: config.identity.issuer,
              subjectRegExp: subjectRegExpFor(config, entry.module.slug),
            },
          ],
          ...(publicGood
            ? {}
            : {
                trustRootRef: POLICY_CONTROLLER_TRUST_ROOT,
                ...(trustRoot.ctlogs.length === 0 ? { insecureIgnoreSCT: true } : {}),
              }),
        },
        ctlog: {
          ...(log.baseUrl ? { url: log.baseUrl } : {}),
          ...(publicGood ? {} : { trustRootRef: POLICY_CONTROLLER_TRUST_ROOT }),
        },
      })),
    },
  };
}

/**
 * Kyverno `ClusterPolicy` that denies a Pod running a module whose Flareo verdict is `fail`:
 * for each module, a rule that applies when a container runs the module's image, calls
 * `GET /api/v1/modules/<slug>/policy` on the catalog (Kyverno `apiCall`, `service.url`) and
 * denies when `result.verdict` is `fail`. A catalog that cannot be reached fails the rule
 * (`failurePolicy: Fail`): fail closed.
 */
export function kyvernoVerdictPolicy(source: AdmissionSource): Record<string, unknown> {
  const base = source.catalogUrl.replace(/\/+$/, '');
  const imagesOf = (field: string) => `{{ request.object.spec.${field}[].image || \`[]\` }}`;
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name: nameOf('flareo-deny-failing-verdict', source.slug),
      labels,
      annotations: {
        'policies.kyverno.io/title': `${source.config.name}: deny modules whose verdict is fail`,
        'policies.kyverno.io/description': `Asks ${base} for each module's admission verdict (@flareo/policy) and denies a Pod that runs a module whose verdict is fail.`,
      },
    },
    spec: {
      background: false,
      webhookTimeoutSeconds: 15,
      failurePolicy: 'Fail',
      rules: source.modules.map((entry) => {
        const slug = entry.module.slug;
        const patterns = imagePatterns(entry);
        return {
          name: `verdict-${slug}`.slice(0, 63),
          match: { any: [{ resources: { kinds: ['Pod'] } }] },
          preconditions: {
            any: ['containers', 'initContainers', 'ephemeralContainers'].map((field) => ({
              key: imagesOf(field),
              operator: 'AnyIn',
              value: patterns,
            })),
          },
          context: [
            {
              name: 'flareoVerdict',
              apiCall: {
                method: 'GET',
                service: { url: `${base}/api/v1/modules/${slug}/policy` },
                jmesPath: 'result.verdict',
              },
            },
          ],
          validate: {
            failureAction: 'Enforce',
            message: `The Flareo verdict of module ${slug} is fail; see ${base}/modules/${slug}`,
            deny: {
              conditions: {
                any: [{ key: '{{ flareoVerdict }}', operator: 'Equals', value: 'fail' }],
              },
            },
          },
        };
      }),
    },
  };
}

/** Build one manifest. */
export function admissionManifest(
  which: AdmissionManifest,
  source: AdmissionSource,
): Record<string, unknown> {
  switch (which) {
    case 'kyverno-verify-images':
      return kyvernoVerifyImages(source);
    case 'policy-controller':
      return policyControllerImagePolicy(source);
    case 'kyverno-verdict':
      return kyvernoVerdictPolicy(source);
  }
}

/** Parse an admission file name (`kyverno-verdict.yaml`); `undefined` when it is not one. */
export function parseAdmissionFile(
  file: string,
): { manifest: AdmissionManifest; format: 'yaml' | 'json' } | undefined {
  const match = FILE_RE.exec(file);
  if (!match) return undefined;
  return { manifest: match[1] as AdmissionManifest, format: match[2] as 'yaml' | 'json' };
}

/** A manifest as served: YAML (the `yaml` package) or JSON. */
export function renderManifest(manifest: unknown, format: 'yaml' | 'json'): string {
  return format === 'yaml'
    ? YAML.stringify(manifest, { lineWidth: 0 })
    : `${JSON.stringify(manifest, null, 2)}\n`;
}

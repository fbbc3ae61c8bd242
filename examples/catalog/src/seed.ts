import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  buildTrustedRoot,
  createFulcioChain,
  type FulcioChain,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';
import { VexBuilder, type VexDocument } from '@flareo/vex';
import { CatalogError } from './errors.js';
import {
  ATTESTATIONS_DIR,
  attestationFileOf,
  PART_PREDICATE_TYPES,
  type PartName,
} from './parts.js';
import { type CatalogConfig, CatalogStore, initDataDir, type StoreOptions } from './store.js';

// The sample catalog: real signatures from the test kit's deterministic Fulcio-style CA and
// Rekor v1 log, over OCI image manifests that stand in for the module images. The CVEs are
// real Debian 12 findings; the modules and their digests are sample data.

/** The registry the sample images live in. */
export const SAMPLE_REGISTRY = 'registry.flareo.test/flareo';
/** The OIDC issuer of the sample signatures (GitHub Actions). */
export const SAMPLE_ISSUER = 'https://token.actions.githubusercontent.com';

/** One package of a sample image. */
export interface SamplePackage {
  readonly name: string;
  readonly version: string;
  /** Debian epoch, written as the `epoch` purl qualifier. */
  readonly epoch?: number;
  readonly license: string;
  readonly supplier: string;
}

/** One scanner finding of a sample image. */
export interface SampleFinding {
  readonly id: string;
  readonly pkg: string;
  readonly severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  readonly title: string;
  readonly fixedVersion?: string;
}

/** One OpenVEX statement of a sample module (the product is the module image). */
export interface SampleVexStatement {
  readonly vulnerability: string;
  readonly packages: readonly string[];
  readonly status: 'not_affected' | 'fixed' | 'under_investigation' | 'affected';
  readonly justification?:
    | 'vulnerable_code_not_present'
    | 'vulnerable_code_not_in_execute_path'
    | 'component_not_present'
    | 'inline_mitigations_already_exist'
    | 'vulnerable_code_cannot_be_controlled_by_adversary';
  readonly impactStatement?: string;
  readonly actionStatement?: string;
}

/** A sample module. */
export interface SampleModuleSpec {
  /** Module slug; also the image name and the GitHub repository under `flareo/`. */
  readonly slug: string;
  /** Display name. */
  readonly name: string;
  /** Version; the release tag is `v<version>`. */
  readonly version: string;
  readonly description: string;
  /** SPDX id of the module's own licence (in the SBOM and the contact file). */
  readonly license: string;
  /** Hours between signing and the seed's `now`. */
  readonly signedHoursAgo: number;
  /** Packages of the image (the SBOM components, besides the module itself). */
  readonly packages: readonly SamplePackage[];
  /** Findings of the Trivy report. */
  readonly findings: readonly SampleFinding[];
  /** OpenVEX documents, oldest first; later versions of the same document supersede earlier ones. */
  readonly vex: readonly (readonly SampleVexStatement[])[];
  /**
   * The signing identity (SAN URI and Fulcio build-signer URI). Defaults to
   * `https://github.com/flareo/<slug>/.github/workflows/release.yml@refs/tags/v<version>`;
   * override it to mint a wrongly signed module.
   */
  readonly identity?: string;
}

const DEBIAN = '12.9';
const base: SamplePackage[] = [
  { name: 'libc6', version: '2.36-9+deb12u9', license: 'LGPL-2.1', supplier: 'Debian' },
  { name: 'libssl3', version: '3.0.15-1~deb12u1', license: 'Apache-2.0', supplier: 'Debian' },
  { name: 'zlib1g', version: '1.2.13.dfsg-1', epoch: 1, license: 'Zlib', supplier: 'Debian' },
  { name: 'ca-certificates', version: '20230311', license: 'MPL-2.0', supplier: 'Debian' },
  { name: 'apt', version: '2.6.1', license: 'GPL-2.0-or-later', supplier: 'Debian' },
  { name: 'libcurl4', version: '7.88.1-10+deb12u8', license: 'curl', supplier: 'Debian' },
];
const withPackage = (name: string, version: string): SamplePackage[] =>
  base.map((p) => (p.name === name ? { ...p, version } : p));

/** Grafana's first VEX document says this, and its second (superseding) one says it again. */
const NO_MINIZIP: SampleVexStatement = {
  vulnerability: 'CVE-2023-45853',
  packages: ['zlib1g'],
  status: 'not_affected',
  justification: 'vulnerable_code_not_present',
  impactStatement:
    "Debian's zlib1g package does not build or ship MiniZip; zipOpenNewFileInZip4_64 is not in the image.",
};

const APT_LOW: SampleFinding = {
  id: 'CVE-2011-3374',
  pkg: 'apt',
  severity: 'LOW',
  title:
    'It was found that apt-key in apt, all versions, do not correctly validate gpg keys with the master keyring, leading to a potential man-in-the-middle attack.',
};

/** The sample modules: clean, one high CVE, one critical CVE, VEX-suppressed, stale signature. */
export const SAMPLE_MODULES: readonly SampleModuleSpec[] = [
  {
    slug: 'vaultwarden',
    name: 'Vaultwarden',
    version: '1.34.3',
    description: 'Bitwarden-compatible password manager server.',
    license: 'AGPL-3.0-only',
    signedHoursAgo: 3,
    packages: base,
    findings: [],
    vex: [
      [
        {
          vulnerability: 'CVE-2024-5535',
          packages: ['libssl3'],
          status: 'fixed',
        },
      ],
    ],
  },
  {
    slug: 'gitea',
    name: 'Gitea',
    version: '1.23.4',
    description: 'Self-hosted Git service.',
    license: 'MIT',
    signedHoursAgo: 5,
    packages: withPackage('libc6', '2.36-9+deb12u4'),
    findings: [
      {
        id: 'CVE-2024-2961',
        pkg: 'libc6',
        severity: 'HIGH',
        title: 'glibc: out-of-bounds write in iconv ISO-2022-CN-EXT',
        fixedVersion: '2.36-9+deb12u7',
      },
    ],
    vex: [
      [
        {
          vulnerability: 'CVE-2024-2961',
          packages: ['libc6'],
          status: 'under_investigation',
        },
      ],
    ],
  },
  {
    slug: 'nextcloud',
    name: 'Nextcloud',
    version: '30.0.6',
    description: 'File sync and share server.',
    license: 'AGPL-3.0-or-later',
    signedHoursAgo: 8,
    packages: withPackage('libcurl4', '7.88.1-10+deb12u3'),
    findings: [
      {
        id: 'CVE-2023-38545',
        pkg: 'libcurl4',
        severity: 'CRITICAL',
        title: 'curl: heap buffer overflow in the SOCKS5 proxy handshake',
        fixedVersion: '7.88.1-10+deb12u4',
      },
      APT_LOW,
    ],
    vex: [
      [
        {
          vulnerability: 'CVE-2023-38545',
          packages: ['libcurl4'],
          status: 'affected',
          actionStatement:
            'Rebuild on libcurl4 7.88.1-10+deb12u4 or later; until then do not configure a SOCKS5 proxy.',
        },
      ],
    ],
  },
  {
    slug: 'grafana',
    name: 'Grafana',
    version: '11.5.2',
    description: 'Dashboards and visualisation for metrics, logs and traces.',
    license: 'AGPL-3.0-only',
    signedHoursAgo: 2,
    packages: withPackage('libc6', '2.36-9+deb12u4'),
    findings: [
      {
        id: 'CVE-2023-45853',
        pkg: 'zlib1g',
        severity: 'CRITICAL',
        title: 'zlib: integer overflow and heap overflow in zipOpenNewFileInZip4_64 (MiniZip)',
      },
      {
        id: 'CVE-2024-2961',
        pkg: 'libc6',
        severity: 'HIGH',
        title: 'glibc: out-of-bounds write in iconv ISO-2022-CN-EXT',
        fixedVersion: '2.36-9+deb12u7',
      },
      APT_LOW,
    ],
    vex: [
      [
        NO_MINIZIP,
        {
          vulnerability: 'CVE-2024-2961',
          packages: ['libc6'],
          status: 'under_investigation',
        },
      ],
      [
        NO_MINIZIP,
        {
          vulnerability: 'CVE-2024-2961',
          packages: ['libc6'],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impactStatement:
            'Grafana is a Go binary that never calls iconv(3); no process in the image converts to ISO-2022-CN-EXT.',
        },
      ],
    ],
  },
  {
    slug: 'miniflux',
    name: 'Miniflux',
    version: '2.2.5',
    description: 'Minimalist feed reader.',
    license: 'Apache-2.0',
    signedHoursAgo: 40 * 24,
    packages: base,
    findings: [APT_LOW],
    vex: [
      [
        {
          vulnerability: 'CVE-2011-3374',
          packages: ['apt'],
          status: 'under_investigation',
        },
      ],
    ],
  },
];

/** The catalog config the sample material is minted for. */
export const SAMPLE_CONFIG: CatalogConfig = {
  name: 'Flareo sample catalog',
  identity: {
    subjectAlternativeNameRegexp:
      'https://github\\.com/flareo/{slug}/\\.github/workflows/release\\.yml@refs/tags/v[0-9A-Za-z.+_-]+',
    issuer: SAMPLE_ISSUER,
  },
  trustedBuilders: [
    {
      idPattern:
        'https://github\\.com/flareo/[a-z0-9-]+/\\.github/workflows/release\\.yml@refs/tags/v[0-9A-Za-z.+_-]+',
      level: 2,
    },
  ],
  rekorPolicy: 'require-any',
  policy: {},
  requireSignedParts: true,
};

/** Options of {@link createSeedKit}. */
export interface SeedKitOptions {
  /** The moment the sample is minted for (signing times count back from it). Defaults to now. */
  readonly now?: Date;
  /** Seed of the CA and log keys. Defaults to `'flareo-catalog'`. */
  readonly seed?: string;
}

/** Signing material of a sample catalog, and a minting function for module directories. */
export interface SeedKit {
  readonly now: Date;
  readonly chain: FulcioChain;
  readonly rekor: TestRekorV1;
  /** `trusted_root.json` that trusts exactly this CA and log. */
  readonly trustedRoot: Record<string, unknown>;
  readonly config: CatalogConfig;
  /** Mint the files of one module directory (relative path → bytes). */
  mintModule(spec: SampleModuleSpec, options?: MintOptions): Map<string, Uint8Array>;
  /**
   * (Re)sign the parts of minted files as they are now (after a test edited one), with the
   * module's signer: replaces every `attestations/…` entry.
   */
  signParts(spec: SampleModuleSpec, files: Map<string, Uint8Array>): Map<string, Uint8Array>;
}

/** Options of {@link SeedKit.mintModule}: mint a module for an image that really exists. */
export interface MintOptions {
  /**
   * The artifact: the exact bytes of the image's manifest (its digest is the image digest
   * the module is signed over). Default: a sample manifest minted from the spec.
   */
  readonly artifact?: Uint8Array;
  /**
   * The image repository, without tag or digest (e.g. `127.0.0.1:5000/flareo/app`).
   * Default `${SAMPLE_REGISTRY}/<slug>`.
   */
  readonly image?: string;
  /**
   * Sign the contact file, SBOM, Trivy report and every VEX document as in-toto attestations
   * (`attestations/<file>.sigstore.json`), as the sample catalog requires. Default true.
   */
  readonly signParts?: boolean;
}

const HOUR = 3_600_000;
const enc = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const hex = (label: string, bytes = 32) =>
  createHash('sha256')
    .update(label)
    .digest('hex')
    .slice(0, bytes * 2);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function purlOf(p: SamplePackage): string {
  const q = `arch=amd64&distro=debian-${DEBIAN}${p.epoch === undefined ? '' : `&epoch=${p.epoch}`}`;
  return `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?${q}`;
}
const installedVersion = (p: SamplePackage) =>
  p.epoch === undefined ? p.version : `${p.epoch}:${p.version}`;

/** Create the sample CA, log and trust, deterministic for a given `now` and seed. */
export function createSeedKit(options: SeedKitOptions = {}): SeedKit {
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const seed = options.seed ?? 'flareo-catalog';
  const chain = createFulcioChain({ seed });
  const rekor = new TestRekorV1({
    seed: `${seed}-rekor`,
    startTime: new Date(now.getTime() - 365 * 24 * HOUR),
  });
  const trustedRoot = {
    ...buildTrustedRoot({
      certificateAuthorities: [
        { chain: [chain.intermediate, chain.root], uri: 'https://fulcio.flareo.test' },
      ],
    }),
    tlogs: [rekor.transparencyLogInstance()],
  };

  /** The module's release signer: deterministic for the spec (same key and certificate). */
  const leafFor = (spec: SampleModuleSpec) => {
    const tag = `v${spec.version}`;
    const repo = `https://github.com/flareo/${spec.slug}`;
    const workflow = `${repo}/.github/workflows/release.yml@refs/tags/${tag}`;
    const signedAt = new Date(now.getTime() - spec.signedHoursAgo * HOUR);
    const commit = hex(`${spec.slug}@${spec.version}:commit`, 20);
    return chain.leaf({
      seed: `${seed}:${spec.slug}:${spec.version}`,
      notBefore: new Date(signedAt.getTime() - 60_000),
      san: { uri: [spec.identity ?? workflow] },
      oidcIssuer: SAMPLE_ISSUER,
      github: {
        workflowTrigger: 'push',
        workflowSha: commit,
        workflowName: 'Release',
        workflowRepository: `flareo/${spec.slug}`,
        workflowRef: `refs/tags/${tag}`,
        sourceRepositoryUri: repo,
        sourceRepositoryRef: `refs/tags/${tag}`,
        sourceRepositoryDigest: commit,
        buildSignerUri: spec.identity ?? workflow,
        runnerEnvironment: 'github-hosted',
        runInvocationUri: `${repo}/actions/runs/${parseInt(hex(spec.slug, 4), 16)}/attempts/1`,
      },
    });
  };

  /**
   * Sign each part of `files` as an in-toto attestation about the module's image digest, the
   * way `cosign attest --type cyclonedx | vuln | openvex` does (and a Flareo predicate for the
   * contact file), into `attestations/<file>.sigstore.json`.
   */
  const signParts = (
    spec: SampleModuleSpec,
    files: Map<string, Uint8Array>,
  ): Map<string, Uint8Array> => {
    const read = (rel: string) => JSON.parse(new TextDecoder().decode(files.get(rel)));
    const manifest = read('module.json') as { image: string; digest: string };
    const digestHex = manifest.digest.replace(/^sha256:/, '');
    const signedAt = new Date(now.getTime() - spec.signedHoursAgo * HOUR);
    const leaf = leafFor(spec);
    for (const rel of [...files.keys()])
      if (rel.startsWith(`${ATTESTATIONS_DIR}/`)) files.delete(rel);
    const partFiles: [PartName, string][] = [
      ['contact', 'flareo.json'],
      ['sbom', 'sbom.cdx.json'],
      ['scan', 'trivy.json'],
      ...[...files.keys()]
        .filter((k) => k.startsWith('vex/'))
        .sort()
        .map((k): [PartName, string] => ['vex', k]),
    ];
    for (const [i, [part, rel]] of partFiles.entries()) {
      const document = read(rel);
      const predicate =
        part === 'scan'
          ? {
              invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
              scanner: {
                uri: 'pkg:github/aquasecurity/trivy@v0.59.1',
                version: '0.59.1',
                db: { uri: '', version: '' },
                result: document,
              },
              metadata: {
                scanStartedOn: iso(new Date(signedAt.getTime() - 60_000)),
                scanFinishedOn: iso(signedAt),
              },
            }
          : document;
      const bundle = mintSigstoreBundle({
        version: '0.3',
        content: {
          kind: 'dsse',
          statement: {
            _type: 'https://in-toto.io/Statement/v1',
            subject: [{ name: manifest.image, digest: { sha256: digestHex } }],
            predicateType: PART_PREDICATE_TYPES[part],
            predicate,
          },
        },
        signer: { certificate: leaf },
        rekor,
        integratedTime: new Date(signedAt.getTime() + 10_000 + i * 1_000),
      });
      files.set(attestationFileOf(rel), enc(bundle.json));
    }
    return files;
  };

  const mintModule = (
    spec: SampleModuleSpec,
    options: MintOptions = {},
  ): Map<string, Uint8Array> => {
    const image = options.image ?? `${SAMPLE_REGISTRY}/${spec.slug}`;
    const tag = `v${spec.version}`;
    const repo = `https://github.com/flareo/${spec.slug}`;
    const workflow = `${repo}/.github/workflows/release.yml@refs/tags/${tag}`;
    const signedAt = new Date(now.getTime() - spec.signedHoursAgo * HOUR);
    const builtAt = new Date(signedAt.getTime() - 12 * 60_000);
    const commit = hex(`${spec.slug}@${spec.version}:commit`, 20);

    // The artifact: the image's OCI manifest; its digest is the image digest.
    const artifact =
      options.artifact ??
      enc({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: `sha256:${hex(`${spec.slug}:config`)}`,
          size: 2841,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: `sha256:${hex('debian-12-slim')}`,
            size: 29_153_542,
          },
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: `sha256:${hex(`${spec.slug}:app`)}`,
            size: 41_887_113,
          },
        ],
        annotations: {
          'org.opencontainers.image.source': repo,
          'org.opencontainers.image.revision': commit,
          'org.opencontainers.image.version': spec.version,
          'org.opencontainers.image.created': iso(builtAt),
        },
      });
    const digestHex = createHash('sha256').update(artifact).digest('hex');
    const digest = `sha256:${digestHex}`;

    const leaf = leafFor(spec);
    const signature = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf },
      rekor,
      integratedTime: signedAt,
    });
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: image, digest: { sha256: digestHex } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: 'https://actions.github.io/buildtypes/workflow/v1',
          externalParameters: {
            workflow: {
              ref: `refs/tags/${tag}`,
              repository: repo,
              path: '.github/workflows/release.yml',
            },
          },
          internalParameters: {
            github: { event_name: 'push', runner_environment: 'github-hosted' },
          },
          resolvedDependencies: [
            { uri: `git+${repo}@refs/tags/${tag}`, digest: { gitCommit: commit } },
          ],
        },
        runDetails: {
          builder: { id: workflow },
          metadata: {
            invocationId: `${repo}/actions/runs/${parseInt(hex(spec.slug, 4), 16)}/attempts/1`,
            startedOn: iso(new Date(builtAt.getTime() - 8 * 60_000)),
            finishedOn: iso(builtAt),
          },
        },
      },
    };
    const provenance = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'dsse', statement },
      signer: { certificate: leaf },
      rekor,
      integratedTime: new Date(signedAt.getTime() + 5_000),
    });

    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: `urn:uuid:${hex(`${spec.slug}:sbom`, 16).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}`,
      version: 1,
      metadata: {
        timestamp: iso(builtAt),
        tools: { components: [{ type: 'application', name: 'trivy', version: '0.59.1' }] },
        component: {
          type: 'container',
          name: image,
          version: digest,
          'bom-ref': `pkg:oci/${spec.slug}@${encodeURIComponent(digest)}`,
        },
      },
      components: [
        ...spec.packages.map((p) => ({
          type: 'library',
          'bom-ref': purlOf(p),
          supplier: { name: p.supplier },
          name: p.name,
          version: installedVersion(p),
          purl: purlOf(p),
          licenses: [{ license: { id: p.license } }],
          hashes: [{ alg: 'SHA-256', content: hex(`${p.name}@${p.version}`) }],
        })),
        {
          type: 'application',
          'bom-ref': `pkg:github/flareo/${spec.slug}@${tag}`,
          supplier: { name: 'Flareo' },
          name: spec.slug,
          version: spec.version,
          purl: `pkg:github/flareo/${spec.slug}@${tag}`,
          licenses: [{ license: { id: spec.license } }],
          hashes: [{ alg: 'SHA-256', content: hex(`${spec.slug}:binary`) }],
        },
      ],
    };

    const byName = new Map(spec.packages.map((p) => [p.name, p]));
    const pkgOf = (name: string) => {
      const p = byName.get(name);
      if (!p)
        throw new CatalogError('ARGUMENT_INVALID', `sample ${spec.slug}: unknown package ${name}`);
      return p;
    };
    const trivy = {
      SchemaVersion: 2,
      CreatedAt: iso(new Date(builtAt.getTime() + 2 * 60_000)),
      ArtifactName: `${image}:${spec.version}`,
      ArtifactType: 'container_image',
      Metadata: {
        OS: { Family: 'debian', Name: DEBIAN },
        ImageID: `sha256:${hex(`${spec.slug}:config`)}`,
        RepoTags: [`${image}:${spec.version}`],
        RepoDigests: [`${image}@${digest}`],
        ImageConfig: { architecture: 'amd64', os: 'linux' },
      },
      Results: [
        {
          Target: `${image}:${spec.version} (debian ${DEBIAN})`,
          Class: 'os-pkgs',
          Type: 'debian',
          Vulnerabilities: spec.findings.map((f) => {
            const p = pkgOf(f.pkg);
            return {
              VulnerabilityID: f.id,
              PkgID: `${p.name}@${installedVersion(p)}`,
              PkgName: p.name,
              PkgIdentifier: { PURL: purlOf(p) },
              InstalledVersion: installedVersion(p),
              ...(f.fixedVersion
                ? { FixedVersion: f.fixedVersion, Status: 'fixed' }
                : { Status: 'affected' }),
              SeveritySource: 'debian',
              PrimaryURL: `https://avd.aquasec.com/nvd/${f.id.toLowerCase()}`,
              Title: f.title,
              Severity: f.severity,
            };
          }),
        },
      ],
    };

    const product = `pkg:oci/${spec.slug}@${encodeURIComponent(digest)}?repository_url=${encodeURIComponent(image)}`;
    const vexDocs: VexDocument[] = spec.vex.map((statements, i) => {
      const builder = new VexBuilder({
        id: `https://github.com/flareo/${spec.slug}/.vex/${spec.slug}.openvex.json`,
        author: 'Flareo review team <security@flareo.dev>',
        role: 'Document Creator',
        timestamp: iso(new Date(signedAt.getTime() - (spec.vex.length - i) * 24 * HOUR)),
        version: i + 1,
      });
      for (const s of statements) {
        const common = {
          vulnerability: { name: s.vulnerability },
          products: [product],
          subcomponents: s.packages.map((name) => `pkg:deb/debian/${name}`),
        };
        if (s.status === 'not_affected') {
          builder.notAffected({
            ...common,
            ...(s.justification ? { justification: s.justification } : {}),
            impactStatement: s.impactStatement ?? 'Reviewed: not exploitable in this image.',
          });
        } else if (s.status === 'fixed') builder.fixed(common);
        else if (s.status === 'affected')
          builder.affected({ ...common, actionStatement: s.actionStatement ?? 'Upgrade.' });
        else builder.underInvestigation(common);
      }
      return builder.build();
    });

    const files = new Map<string, Uint8Array>();
    files.set(
      'module.json',
      enc({
        slug: spec.slug,
        name: spec.name,
        version: spec.version,
        description: spec.description,
        image,
        digest,
        builtAt: iso(builtAt),
        artifact: 'image-manifest.json',
      }),
    );
    files.set('image-manifest.json', artifact);
    files.set(
      'flareo.json',
      enc({
        name: spec.name,
        description: spec.description,
        source: repo,
        license: spec.license,
        contact: {
          name: 'Flareo maintainers',
          email: `${spec.slug}@flareo.dev`,
          security: 'security@flareo.dev',
        },
      }),
    );
    files.set('signature.sigstore.json', enc(signature.json));
    files.set('provenance.sigstore.json', enc(provenance.json));
    files.set('sbom.cdx.json', enc(sbom));
    files.set('trivy.json', enc(trivy));
    for (const [i, doc] of vexDocs.entries()) {
      files.set(`vex/${String(i + 1).padStart(2, '0')}.openvex.json`, enc(doc));
    }
    return options.signParts === false ? files : signParts(spec, files);
  };

  return { now, chain, rekor, trustedRoot, config: SAMPLE_CONFIG, mintModule, signParts };
}

/** Write minted files into a module directory. */
export async function writeModuleDir(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<void> {
  for (const [rel, bytes] of files) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), bytes);
  }
}

/** What {@link seedCatalog} did. */
export interface SeedResult {
  readonly dataDir: string;
  readonly ingested: readonly string[];
}

/**
 * Mint the sample catalog into `dataDir`: `catalog.json`, `trusted_root.json`, then every
 * sample module through the normal ingest path (signed in log order, oldest first).
 */
export async function seedCatalog(
  dataDir: string,
  options: SeedKitOptions & {
    /** The metadata database (see {@link StoreOptions.database}). Default the embedded SQLite one. */
    readonly database?: string;
  } = {},
): Promise<SeedResult> {
  const { database, ...kitOptions } = options;
  const kit = createSeedKit(kitOptions);
  await initDataDir(dataDir, { config: kit.config, trustedRoot: kit.trustedRoot });
  const store = await CatalogStore.open(dataDir, {
    now: () => kit.now,
    ...(database === undefined ? {} : { database }),
  });
  const work = await mkdtemp(join(tmpdir(), 'flareo-seed-'));
  const ingested: string[] = [];
  try {
    const ordered = [...SAMPLE_MODULES].sort((a, b) => b.signedHoursAgo - a.signedHoursAgo);
    for (const spec of ordered) {
      const dir = join(work, spec.slug);
      await writeModuleDir(dir, kit.mintModule(spec));
      await store.ingest(dir);
      ingested.push(spec.slug);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await store.close();
  }
  return { dataDir, ingested };
}

import { describe, expect, it } from 'vitest';
import {
  type ApplyResult,
  applyToGrype,
  applyToSarif,
  applyToTrivy,
  createVexIndex,
  type VexDocument,
} from '../src/index.js';
import { doc } from './helpers.js';

// Yesterday's image and today's both carry the tag 1.0; only the digest tells them apart.
const YESTERDAY = 'ab'.repeat(32);
const TODAY = 'cd'.repeat(32);
const REPO = 'ghcr.io/acme/app';

const TAG_ONLY = `pkg:oci/app?repository_url=${REPO}&tag=1.0`;
const BY_DIGEST = (hex: string) => `pkg:oci/app@sha256:${hex}?repository_url=${REPO}`;

/** A not_affected statement on CVE-2024-7 for the image `product`, limited to openssl. */
function vex(product: string, extra: Partial<VexDocument> = {}): VexDocument {
  return doc(
    [
      {
        vulnerability: { name: 'CVE-2024-7' },
        products: [{ '@id': product, subcomponents: [{ '@id': 'pkg:deb/debian/openssl' }] }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      },
    ],
    { '@id': 'https://acme.example/vex/app', ...extra },
  );
}

const OPENSSL = 'pkg:deb/debian/openssl@3.0.15?distro=debian-12';

function trivy(digest: string) {
  return {
    ArtifactType: 'container_image',
    Metadata: { RepoTags: [`${REPO}:1.0`], RepoDigests: [`${REPO}@sha256:${digest}`] },
    Results: [
      {
        Target: 'app',
        Vulnerabilities: [
          { VulnerabilityID: 'CVE-2024-7', PkgIdentifier: { PURL: OPENSSL }, Severity: 'HIGH' },
        ],
      },
    ],
  };
}

function grype(digest: string) {
  return {
    matches: [
      {
        vulnerability: { id: 'CVE-2024-7', severity: 'High' },
        artifact: { name: 'openssl', version: '3.0.15', purl: OPENSSL },
      },
    ],
    source: {
      type: 'image',
      target: {
        userInput: `${REPO}:1.0`,
        tags: [`${REPO}:1.0`],
        repoDigests: [`${REPO}@sha256:${digest}`],
        manifestDigest: `sha256:${digest}`,
      },
    },
  };
}

function sarif(digest: string) {
  return {
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2024-7' }] } },
        properties: {
          imageName: `${REPO}:1.0`,
          repoTags: [`${REPO}:1.0`],
          repoDigests: [`${REPO}@sha256:${digest}`],
        },
        results: [{ ruleId: 'CVE-2024-7', message: { text: 'x' } }],
      },
    ],
  };
}

/** SARIF matches image-level only: the same statements without subcomponents. */
function imageWide(d: VexDocument): VexDocument {
  return {
    ...d,
    statements: d.statements.map((s) => ({
      ...s,
      products: (s.products ?? []).map(({ subcomponents: _s, ...p }) => p),
    })),
  };
}

const APPLIES = [
  ['Trivy', (d: string, v: VexDocument, o = {}) => applyToTrivy(trivy(d), [v], o)],
  ['Grype', (d: string, v: VexDocument, o = {}) => applyToGrype(grype(d), [v], o)],
  ['SARIF', (d: string, v: VexDocument, o = {}) => applyToSarif(sarif(d), [imageWide(v)], o)],
] as const;

const disposition = (r: ApplyResult) => r.findings[0]?.disposition;

describe.each(APPLIES)('%s: images are matched by digest, not by tag', (_name, apply) => {
  it('a statement naming the image only by tag does not suppress today’s image, and says why', () => {
    const r = apply(TODAY, vex(TAG_ONLY));
    expect(disposition(r)).toBe('unaddressed');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({
      code: 'OCI_TAG_ONLY',
      statement: {
        documentId: 'https://acme.example/vex/app',
        documentIndex: 0,
        statementIndex: 0,
      },
      vulnerability: 'CVE-2024-7',
      product: TAG_ONLY,
    });
    expect(r.warnings[0]?.message).toContain('statement 0 of https://acme.example/vex/app');
    expect(r.warnings[0]?.message).toContain('matchOciTags');
  });

  it('a statement naming the image by digest suppresses that image only', () => {
    const r = apply(YESTERDAY, vex(BY_DIGEST(YESTERDAY)));
    expect(disposition(r)).toBe('suppressed');
    expect(r.warnings).toEqual([]);
    expect(disposition(apply(TODAY, vex(BY_DIGEST(YESTERDAY))))).toBe('unaddressed');
    // A tag next to the digest is a label: the digest decides.
    expect(disposition(apply(YESTERDAY, vex(`${BY_DIGEST(YESTERDAY)}&tag=1.0`)))).toBe(
      'suppressed',
    );
    expect(disposition(apply(TODAY, vex(`${BY_DIGEST(YESTERDAY)}&tag=1.0`)))).toBe('unaddressed');
  });

  it('a statement about every build of the repository (no digest, no tag) still applies', () => {
    const r = apply(TODAY, vex(`pkg:oci/app?repository_url=${REPO}`));
    expect(disposition(r)).toBe('suppressed');
    expect(r.warnings).toEqual([]);
  });

  it('matchOciTags: true trusts the tag, and warns no more', () => {
    const r = apply(TODAY, vex(TAG_ONLY), { matchOciTags: true });
    expect(disposition(r)).toBe('suppressed');
    expect(r.warnings).toEqual([]);
  });

  it('no warning for a tag-only statement about another repository', () => {
    const r = apply(TODAY, vex(`pkg:oci/other?repository_url=ghcr.io/acme/other&tag=1.0`));
    expect(disposition(r)).toBe('unaddressed');
    expect(r.warnings).toEqual([]);
  });
});

describe('tag-only OCI identifiers elsewhere', () => {
  it('never match through a prebuilt index, options.product, or the exact string', () => {
    const d = vex(TAG_ONLY);
    const strict = createVexIndex([d]);
    const trusting = createVexIndex([d], { matchOciTags: true });
    const query = {
      vulnerability: 'CVE-2024-7',
      product: { purls: [TAG_ONLY] },
      subcomponent: { purls: [OPENSSL] },
    };
    expect(strict.resolve(query).winner).toBeUndefined();
    expect(trusting.resolve(query).winner?.status).toBe('not_affected');
    // The index decides; the option of applyTo* only applies when it builds the index.
    const report = { ...trivy(TODAY), ArtifactType: 'filesystem' };
    expect(disposition(applyToTrivy(report, strict, { product: { purls: [TAG_ONLY] } }))).toBe(
      'unaddressed',
    );
    expect(disposition(applyToTrivy(report, trusting, { product: { purls: [TAG_ONLY] } }))).toBe(
      'suppressed',
    );
    // A tag-only product named by @id as a plain IRI is not matched by the string either.
    const plain = doc([
      {
        vulnerability: { name: 'CVE-2024-7' },
        products: [{ '@id': TAG_ONLY }],
        status: 'fixed',
      },
    ]);
    expect(
      createVexIndex([plain]).resolve({ vulnerability: 'CVE-2024-7', product: { ids: [TAG_ONLY] } })
        .winner,
    ).toBeUndefined();
  });

  it('a subcomponent named only by tag never widens the statement to the whole product', () => {
    const d = doc([
      {
        vulnerability: { name: 'CVE-2024-7' },
        products: [{ '@id': BY_DIGEST(TODAY), subcomponents: [{ '@id': TAG_ONLY }] }],
        status: 'fixed',
      },
    ]);
    const r = applyToTrivy(trivy(TODAY), [d]);
    expect(disposition(r)).toBe('unaddressed');
  });
});

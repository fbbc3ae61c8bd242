import { gunzipSync } from 'node:zlib';
import { createVerifier } from '@flareo/bundle-verify';
import { parseTrustedRoot } from '@flareo/trust-root';
import { computeTrustScore } from '@flareo/trust-score';
import { parseVex } from '@flareo/vex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleMediaType, type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { now, SAMPLE_SLUGS, seededDataDir } from './support.js';

// biome-ignore lint/suspicious/noExplicitAny: API responses are checked field by field
type Json = any;

let data: { dir: string; remove: () => Promise<void> };
let running: RunningCatalog;

beforeAll(async () => {
  data = await seededDataDir();
  const store = await CatalogStore.open(data.dir, { now });
  running = await startCatalogServer({ store, host: '127.0.0.1', port: 0, logger: false });
});
afterAll(async () => {
  await running?.close();
  await data?.remove();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${running.url}${path}`, { headers });
async function json(path: string): Promise<Json> {
  const response = await get(path);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

/** Entries of a gzipped ustar archive (reading the format back independently of the writer). */
function untar(gz: Uint8Array): Map<string, string> {
  const tar = gunzipSync(gz);
  const files = new Map<string, string>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(
      header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, ''),
      8,
    );
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
    expect(
      Number.parseInt(header.subarray(148, 156).toString('utf8'), 8),
      `checksum of ${name}`,
    ).toBe(sum);
    expect(header.subarray(257, 263).toString('latin1')).toBe('ustar\0');
    files.set(name, tar.subarray(offset + 512, offset + 512 + size).toString('utf8'));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe('catalog API over HTTP', () => {
  it('answers the health check', async () => {
    expect(await json('/healthz')).toEqual({ status: 'ok', modules: 5, quarantined: 0 });
  });

  it('pages the module list by slug, following next to the end', async () => {
    const seen: string[] = [];
    let path: string | null = '/api/v1/modules?limit=2';
    const pages: number[] = [];
    while (path) {
      const page: Json = await json(path);
      pages.push(page.modules.length);
      seen.push(...page.modules.map((m: Json) => m.slug));
      path = page.next;
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(SAMPLE_SLUGS);
    expect((await json(`/api/v1/modules?after=${SAMPLE_SLUGS.at(-1)}`)).modules).toEqual([]);
    for (const bad of ['limit=0', 'limit=1001', 'limit=two', 'after=Not_A_Slug']) {
      const response = await get(`/api/v1/modules?${bad}`);
      expect(response.status, bad).toBe(400);
    }
  });

  it('lists every module with score and verdict', async () => {
    const { modules } = await json('/api/v1/modules');
    expect(modules.map((m: Json) => m.slug)).toEqual(SAMPLE_SLUGS);
    const bySlug = Object.fromEntries(modules.map((m: Json) => [m.slug, m]));
    // What the spec promises: a clean fresh module scores 92–95, one high CVE 75–80, Json
    // critical fails; VEX-suppressed findings do not count; a stale signature loses freshness.
    expect(bySlug.vaultwarden).toMatchObject({ score: 93, status: 'passing', verdict: 'pass' });
    expect(bySlug.gitea).toMatchObject({ score: 79, status: 'warning', verdict: 'warn' });
    expect(bySlug.nextcloud).toMatchObject({ status: 'failing', verdict: 'fail', allow: false });
    expect(bySlug.grafana).toMatchObject({ score: 93, status: 'passing', verdict: 'pass' });
    expect(bySlug.miniflux).toMatchObject({ score: 78, status: 'warning', verdict: 'pass' });
    for (const m of modules) {
      expect(m.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(m.links.vex).toBe(`/api/v1/modules/${m.slug}/vex`);
    }
  });

  it('serves a module detail with identity, Rekor index, findings and impact statements', async () => {
    const m = await json('/api/v1/modules/grafana');
    expect(m.signature).toMatchObject({
      verifiedBy: 'server',
      identity: 'https://github.com/flareo/grafana/.github/workflows/release.yml@refs/tags/v11.5.2',
      issuer: 'https://token.actions.githubusercontent.com',
      rekor: { checks: { set: true, inclusionProof: true, checkpoint: true, body: true } },
      browserVerification: {
        supported: true,
        verifier: expect.stringMatching(/^\/assets\/verifier-[0-9a-f]{16}\.js$/),
        integrity: expect.stringMatching(/^sha256-[A-Za-z0-9+/]{43}=$/),
        bundle: '/api/v1/modules/grafana/attestations/signature.sigstore.json',
        trustedRoot: '/api/v1/trust/trusted_root.json',
        trustRootDigest: m.verification.trustRootDigest,
        artifact: { digest: m.digest },
        identity: {
          subjectAlternativeName: {
            regexp: expect.stringContaining('grafana'),
          },
          issuer: 'https://token.actions.githubusercontent.com',
        },
        verifierOptions: { rekor: { policy: 'require-any' } },
      },
    });
    expect(m.signature.browserVerification).not.toHaveProperty('reason');
    expect(m.signature.rekor.logIndex).toMatch(/^\d+$/);
    expect(m.provenance).toMatchObject({
      level: 2,
      matchedSubject: 'registry.flareo.test/flareo/grafana',
    });
    expect(m.vulnerabilities.open.map((f: Json) => f.vulnerability)).toEqual(['CVE-2011-3374']);
    expect(m.vulnerabilities.suppressed).toEqual([
      expect.objectContaining({
        vulnerability: 'CVE-2023-45853',
        severity: 'critical',
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
        impactStatement: expect.stringContaining('MiniZip'),
      }),
      expect.objectContaining({
        vulnerability: 'CVE-2024-2961',
        severity: 'high',
        status: 'not_affected',
        impactStatement: expect.stringContaining('iconv'),
      }),
    ]);
    expect(m.contact.contact.email).toBe('grafana@flareo.dev');
    expect(m).toMatchObject({
      score: 93,
      status: 'passing',
      verdict: 'pass',
      trustScore: { score: 93, status: 'passing' },
    });
    expect(m.policy.rules).toHaveLength(9);
  });

  it('serves the trust score exactly as @flareo/trust-score computes it', async () => {
    const score = await json('/api/v1/modules/miniflux/score');
    const detail = await json('/api/v1/modules/miniflux');
    const expected = computeTrustScore({
      vulnerabilities: { critical: 0, high: 0, medium: 0, low: 1, unknown: 0 },
      slsaLevel: 2,
      hoursSinceSigned: (now().getTime() - Date.parse(detail.signedAt)) / 3_600_000,
      sbomCompleteness: 1,
    });
    expect(score).toEqual({ ...expected, evaluatedAt: now().toISOString() });
    expect(score.signals[2]).toMatchObject({ signal: 'freshness', points: 0 });
  });

  it('serves the OPA-shaped verdict with the per-rule breakdown', async () => {
    const { result } = await json('/api/v1/modules/nextcloud/policy');
    expect(result.verdict).toBe('fail');
    expect(result.allow).toBe(false);
    expect(result.deny).toEqual([expect.stringMatching(/^cve-critical: /)]);
    expect(result.rules).toHaveLength(9);
    expect(result.rules.find((r: Json) => r.rule === 'cve-critical')).toMatchObject({
      result: 'fail',
      expected: 0,
      actual: 1,
    });
    const withInput = await json('/api/v1/modules/nextcloud/policy?include=input');
    expect(withInput.input.vulnerabilities.critical).toEqual({
      unaddressed: 0,
      under_investigation: 0,
      affected: 1,
    });
    expect(withInput.input.rekor.entry_present).toBe(true);
  });

  it('serves the merged OpenVEX document with a strong ETag and 304 on If-None-Match', async () => {
    const response = await get('/api/v1/modules/grafana/vex');
    expect(response.status).toBe(200);
    const etag = response.headers.get('etag') as string;
    expect(etag).toMatch(/^"sha256-[0-9a-f]{64}"$/);
    const doc = (await response.json()) as Json;
    expect(doc['@id']).toBe(`${running.url}/api/v1/modules/grafana/vex`);
    parseVex(doc, { mode: 'strict' });
    // The two input documents share an @id; version 2 supersedes version 1.
    expect(doc.statements.map((s: Json) => s.status)).toEqual(['not_affected', 'not_affected']);
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await get('/api/v1/modules/grafana/vex', { 'if-none-match': inm });
      expect(again.status, inm).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
    }
    expect((await get('/api/v1/modules/grafana/vex', { 'if-none-match': '"stale"' })).status).toBe(
      200,
    );
    expect((await get('/api/v1/modules/gitea/vex')).headers.get('etag')).not.toBe(etag);
  });

  it('serves attestations that verify again with @flareo/bundle-verify', async () => {
    const att = await json('/api/v1/modules/vaultwarden/attestations');
    const trustedRoot = await json('/api/v1/trust/trusted_root.json');
    const verifier = createVerifier(parseTrustedRoot(trustedRoot));
    const policy = {
      subjectAlternativeName:
        'https://github.com/flareo/vaultwarden/.github/workflows/release.yml@refs/tags/v1.34.3',
      issuer: 'https://token.actions.githubusercontent.com',
    };
    expect(
      verifier.verifyBundle(att.signature.bundle, { digest: att.digest }, policy).signer.kind,
    ).toBe('certificate');
    expect(
      verifier.verifyBundle(att.provenance.bundle, { digest: att.digest }, policy).statement
        ?.predicateType,
    ).toBe('https://slsa.dev/provenance/v1');
    expect(att.provenance.statement.subject[0].digest.sha256).toBe(att.digest.slice(7));
    expect(att.sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5' });
    // Each bundle alone, with the bundle's own media type (not plain application/json).
    for (const [file, bundle] of [
      ['signature.sigstore.json', att.signature.bundle],
      ['provenance.sigstore.json', att.provenance.bundle],
    ]) {
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      const response = await get(`/api/v1/modules/vaultwarden/attestations/${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        'application/vnd.dev.sigstore.bundle.v0.3+json',
      );
      expect(await response.json()).toEqual(bundle);
    }
  });

  it('serves a bundle without a Sigstore media type as application/json', () => {
    expect(bundleMediaType({ mediaType: 'text/html' })).toBe('application/json; charset=utf-8');
    expect(bundleMediaType({})).toBe('application/json; charset=utf-8');
    expect(
      bundleMediaType({ mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2' }),
    ).toBe('application/vnd.dev.sigstore.bundle+json;version=0.2');
  });

  it('documents ?include=input of the policy route', async () => {
    const doc = await json('/api/v1/openapi.json');
    const params = doc.paths['/api/v1/modules/{slug}/policy'].get.parameters;
    expect(params).toContainEqual(
      expect.objectContaining({ name: 'include', in: 'query', schema: { enum: ['input'] } }),
    );
  });

  it('is a VEX repository that trivy --vex repo can read', async () => {
    const manifest = await json('/.well-known/vex-repository.json');
    const location = manifest.versions[manifest.latest_version].locations[0].url as string;
    expect(manifest.versions.v0.spec_version).toBe('v0.1');
    expect(location).toBe(`${running.url}/api/v1/vex-repository/vex-repository.tar.gz`);
    const index = await json('/api/v1/vex-repository/index.json');
    expect(index.packages).toContainEqual({
      id: 'pkg:oci/grafana?repository_url=registry.flareo.test%2Fflareo%2Fgrafana',
      location: 'pkg/oci/grafana/vex.json',
      format: 'openvex',
    });
    const archive = await fetch(location);
    expect(archive.headers.get('content-type')).toBe('application/gzip');
    const files = untar(new Uint8Array(await archive.arrayBuffer()));
    expect([...files.keys()]).toEqual([
      'index.json',
      ...index.packages.map((p: Json) => p.location),
    ]);
    expect(JSON.parse(files.get('index.json') as string)).toEqual(index);
    const served = await (await get('/api/v1/modules/grafana/vex')).text();
    expect(files.get('pkg/oci/grafana/vex.json')).toBe(served);
    expect(await (await get('/api/v1/vex-repository/pkg/oci/grafana/vex.json')).text()).toBe(
      served,
    );
  });

  it('describes every route in its OpenAPI 3.1 document', async () => {
    const doc = await json('/api/v1/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    const served = [...running.app.catalogRoutes, ...running.app.catalogPostRoutes];
    const documented = Object.keys(doc.paths).map((p) => p.replace(/\{(\w+)\}/g, ':$1'));
    const api = served.filter(
      (p) => p.startsWith('/api/') || p.startsWith('/.well-known/') || p === '/healthz',
    );
    expect(api.length).toBeGreaterThan(10);
    expect(documented.sort()).toEqual([...new Set(api)].sort());
  });

  it.each([
    ['/api/v1/modules/Grafana', 400, 'SLUG_INVALID'],
    ['/api/v1/modules/a_b/vex', 400, 'SLUG_INVALID'],
    ['/api/v1/modules/-grafana/policy', 400, 'SLUG_INVALID'],
    [`/api/v1/modules/${'a'.repeat(64)}/score`, 400, 'SLUG_INVALID'],
    ['/api/v1/modules/a%2Fb/attestations', 400, 'SLUG_INVALID'],
    ['/api/v1/modules/..%2F..%2Fetc/vex', 400, 'SLUG_INVALID'],
    ['/api/v1/modules/unknown', 404, 'MODULE_NOT_FOUND'],
    ['/api/v1/modules/unknown/vex', 404, 'MODULE_NOT_FOUND'],
    ['/api/v1/modules/unknown/policy', 404, 'MODULE_NOT_FOUND'],
    ['/api/v1/modules/unknown/score', 404, 'MODULE_NOT_FOUND'],
    ['/api/v1/modules/unknown/attestations', 404, 'MODULE_NOT_FOUND'],
    ['/api/v1/vex-repository/pkg/oci/unknown/vex.json', 404, 'MODULE_NOT_FOUND'],
    ['/api/v2/modules', 404, 'NOT_FOUND'],
  ])('GET %s → %i %s (JSON error)', async (path, status, code) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Json;
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
  });

  it('serves the web page shell and its assets', async () => {
    for (const path of ['/', '/modules/grafana']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('/assets/app.js');
    }
    expect((await get('/assets/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get('/assets/style.css')).headers.get('content-type')).toMatch(/^text\/css/);
  });
});

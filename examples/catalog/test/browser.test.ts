import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool } from '@flareo/testkit';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { now, SAMPLE_SLUGS, seededDataDir } from './support.js';

// Debian's Chromium, never a downloaded browser. Absent → skipped, unless FLAREO_REQUIRE_TOOLS
// is set (CI), in which case findTool throws and the suite fails.
const chromiumPath = findTool('chromium');
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

describe.skipIf(!chromiumPath)('the web page in Chromium', () => {
  let data: { dir: string; remove: () => Promise<void> };
  let running: RunningCatalog;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    data = await seededDataDir();
    const store = await CatalogStore.open(data.dir, { now });
    running = await startCatalogServer({ store, host: '127.0.0.1', port: 0, logger: false });
    profile = await mkdtemp(join(tmpdir(), 'flareo-chromium-'));
    await mkdir(artifacts, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath as string,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
  });
  afterAll(async () => {
    await context?.close();
    await running?.close();
    await data?.remove();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  // biome-ignore lint/suspicious/noExplicitAny: API responses are checked field by field
  const api = async (path: string): Promise<any> => (await fetch(`${running.url}${path}`)).json();

  it('lists the modules with the API’s scores and verdicts', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${running.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const rows = page.locator('[data-testid="module-row"]');
    expect(await rows.count()).toBe(SAMPLE_SLUGS.length);
    const { modules } = await api('/api/v1/modules');
    for (const m of modules) {
      expect(Number.isInteger(m.score)).toBe(true);
      const row = page.locator(`[data-testid="module-row"][data-slug="${m.slug}"]`);
      expect(await row.locator('[data-testid="score"]').textContent()).toBe(String(m.score));
      expect(await row.locator('[data-testid="verdict"]').textContent()).toBe(m.verdict);
    }
    await page.screenshot({ path: join(artifacts, 'catalog-list.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(['grafana', 'nextcloud'])(
    'opens the %s page: verdict, score, rules, verification and findings',
    async (slug) => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${running.url}/`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.click(`[data-testid="module-row"][data-slug="${slug}"] a`);
      await page.waitForURL(`${running.url}/modules/${slug}`);
      await page.waitForSelector('body[data-ready="true"]');
      const m = await api(`/api/v1/modules/${slug}`);
      expect(Number.isInteger(m.score)).toBe(true);
      expect(m.score).toBe(m.trustScore.score);

      expect(await page.locator('.summary [data-testid="score"]').textContent()).toBe(
        String(m.score),
      );
      expect(await page.locator('.summary [data-testid="verdict"]').textContent()).toBe(m.verdict);
      expect(await page.locator('[data-testid="rule"]').count()).toBe(9);
      expect(await page.locator('[data-testid="signal"]').count()).toBe(4);

      const result = await page.locator('[data-testid="verification-result"]').textContent();
      expect(result).toContain('Verified by the catalog server');
      expect(result).toContain('not re-verified in this browser');
      expect(await page.locator('[data-testid="browser-note"]').textContent()).toContain(
        'node:crypto',
      );
      expect(await page.locator('[data-testid="identity"]').textContent()).toBe(
        m.signature.identity,
      );
      expect(await page.locator('[data-testid="rekor-log-index"]').textContent()).toBe(
        m.signature.rekor.logIndex,
      );
      // The seeded log is private: the UUID, and no public search link.
      expect(await page.locator('[data-testid="rekor-uuid"]').textContent()).toBe(
        m.signature.rekor.uuid,
      );
      expect(await page.locator('[data-testid="rekor-lookup"]').textContent()).toContain(
        'private log',
      );
      expect(await page.locator('[data-testid="rekor-search"]').count()).toBe(0);

      expect(await page.locator('[data-testid="residual"]').count()).toBe(
        m.vulnerabilities.open.length,
      );
      const suppressed = page.locator('[data-testid="suppressed"]');
      expect(await suppressed.count()).toBe(m.vulnerabilities.suppressed.length);
      for (const [i, f] of m.vulnerabilities.suppressed.entries()) {
        expect(await suppressed.nth(i).textContent()).toContain(f.impactStatement);
      }
      await page.screenshot({ path: join(artifacts, `module-${slug}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('links a public-good Rekor entry to search.sigstore.dev', async () => {
    // The seeded log is private, so the API answer is rewritten in flight as it would be for
    // an entry of the public-good log (the server side is tested in rekor.test.ts).
    const page = await context.newPage();
    const m = await api('/api/v1/modules/grafana');
    const entry = {
      ...m.signature.rekor,
      publicLog: true,
      searchUrl: `https://search.sigstore.dev/?logIndex=${m.signature.rekor.logIndex}`,
    };
    await page.route('**/api/v1/modules/grafana', (route) =>
      route.fulfill({
        json: { ...m, signature: { ...m.signature, rekor: entry, rekorEntries: [entry] } },
      }),
    );
    await page.goto(`${running.url}/modules/grafana`);
    await page.waitForSelector('body[data-ready="true"]');
    const link = page.locator('[data-testid="verification"] [data-testid="rekor-search"]');
    expect(await link.getAttribute('href')).toBe(entry.searchUrl);
    expect(await link.textContent()).toContain(m.signature.rekor.logIndex);
    await page.close();
  });

  it('shows a JSON error for an unknown module, on a 404 page', async () => {
    const page = await context.newPage();
    const response = await page.goto(`${running.url}/modules/unknown`);
    expect(response?.status()).toBe(404);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('h1').textContent()).toBe('Module not found');
    expect(await page.locator('[data-testid="error"]').textContent()).toContain('MODULE_NOT_FOUND');
    await page.close();
  });

  it('shows "Page not found" for an unknown page, on a 404 page', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(`${running.url}/no/such/page`);
    expect(response?.status()).toBe(404);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.locator('[data-testid="error"]').textContent()).toContain('NOT_FOUND');
    await page.screenshot({ path: join(artifacts, 'not-found.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});

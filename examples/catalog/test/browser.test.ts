/// <reference lib="dom" />
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

/** The order in which the verifier reports its checks. */
const STEP_ORDER = [
  'parse',
  'digest',
  'signature',
  'timestamp',
  'log-set',
  'log-inclusion-proof',
  'log-checkpoint',
  'log-body',
  'trusted-time',
  'certificate-chain',
  'sct',
  'identity',
];
const EXPECTED_STATE = 'verified';
const EXPECTED_STATUS = 'verified in this browser';
const EXPECTED_LIST_TEXT = 'verified';
/** Every check of a seeded module's bundle (its certificate carries no SCT). */
const EXPECTED_STEPS = [
  'parse',
  'digest',
  'signature',
  'log-set',
  'log-inclusion-proof',
  'log-checkpoint',
  'log-body',
  'trusted-time',
  'certificate-chain',
  'identity',
];
/** Where each tampered bundle fails, with @flareo/bundle-verify's step and code. */
const EXPECTED_FAILURES = {
  signature: { step: 'signature', code: 'SIGNATURE_MISMATCH' },
  // A changed certificate is caught first by the log entry, which names the logged one.
  certificate: { step: 'tlog', code: 'LOG_BODY_MISMATCH' },
  logBody: { step: 'tlog', code: 'SET_INVALID' },
};

const flipByte = (base64: string, at: (length: number) => number) => {
  const bytes = Buffer.from(base64, 'base64');
  const i = at(bytes.length);
  bytes[i] = (bytes[i] as number) ^ 0x01;
  return bytes.toString('base64');
};

// The tampered bundles, and where each must fail.
// biome-ignore lint/suspicious/noExplicitAny: a bundle is edited field by field
type Json = any;
const TAMPERING: Record<string, { tamper: (b: Json) => void; step: string; code: string }> = {
  'a bundle with one byte of the signature changed': {
    tamper: (b) => {
      b.messageSignature.signature = flipByte(b.messageSignature.signature, (n) => n - 5);
    },
    ...EXPECTED_FAILURES.signature,
  },
  'a bundle with a changed certificate': {
    tamper: (b) => {
      const cert = b.verificationMaterial.certificate;
      // The last byte: inside the CA's signature over the certificate.
      cert.rawBytes = flipByte(cert.rawBytes, (n) => n - 1);
    },
    ...EXPECTED_FAILURES.certificate,
  },
  'a bundle whose log entry body was changed': {
    tamper: (b) => {
      const entry = b.verificationMaterial.tlogEntries[0];
      const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8'));
      const hash = body.spec.data.hash;
      hash.value = `${hash.value.slice(0, -1)}${hash.value.endsWith('0') ? '1' : '0'}`;
      entry.canonicalizedBody = Buffer.from(JSON.stringify(body)).toString('base64');
    },
    ...EXPECTED_FAILURES.logBody,
  },
};

describe.skipIf(!chromiumPath)('the web page in Chromium, JavaScript off', () => {
  let data: { dir: string; remove: () => Promise<void> };
  let running: RunningCatalog;
  let profile: string;
  let context: BrowserContext;
  beforeAll(async () => {
    data = await seededDataDir();
    const store = await CatalogStore.open(data.dir, { now });
    running = await startCatalogServer({ store, host: '127.0.0.1', port: 0, logger: false });
    profile = await mkdtemp(join(tmpdir(), 'flareo-chromium-nojs-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath as string,
      headless: true,
      javaScriptEnabled: false,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
  });
  afterAll(async () => {
    await context?.close();
    await running?.close();
    await data?.remove();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows the module list, and says what a script-drawn page needs', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/`);
    expect(await page.locator('[data-testid="module-row"]').count()).toBe(SAMPLE_SLUGS.length);
    expect(
      await page.locator('[data-slug="nextcloud"] [data-testid="verdict"]').textContent(),
    ).toBe('fail');
    expect(await page.getByText('Loading…').count()).toBe(0);
    await page.goto(`${running.url}/modules/grafana`);
    expect(await page.locator('main').textContent()).toContain('drawn by JavaScript');
    // The server's verdict is still there.
    const verdict = page.locator('[data-testid="server-verdict"]');
    expect(await verdict.textContent()).toContain('verified by the server');
    expect(await verdict.locator('.badge.pass').textContent()).toBe('pass');
    expect(await page.locator('[data-testid="browser-verification"]').count()).toBe(0);
    await page.goto(`${running.url}/docs/verify`);
    expect(await page.locator('h1').textContent()).toBe('Verify a module yourself');
    await page.close();
  });
});

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
      expect(result).toContain('checks it again below');
      expect(await page.getByText('Why not in your browser').count()).toBe(0);
      expect(await page.locator('[data-testid="identity"]').textContent()).toBe(
        m.signature.identity,
      );
      expect(await page.locator('[data-testid="rekor-log-index"]').textContent()).toBe(
        m.signature.rekor.logIndex,
      );
      expect(await page.locator('[data-testid="signature-format"]').textContent()).toBe(
        'Sigstore bundle',
      );
      const parts = page.locator('[data-testid="part"]');
      expect(await parts.count()).toBe(m.parts.length);
      for (const [i, p] of m.parts.entries()) {
        expect(await parts.nth(i).textContent()).toContain(p.file);
        expect(await parts.nth(i).textContent()).toContain(m.signature.identity);
      }
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

  it('never wraps a CVE id inside itself at 1280 px', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    let checked = 0;
    for (const slug of ['grafana', 'nextcloud', 'gitea']) {
      await page.goto(`${running.url}/modules/${slug}`);
      await page.waitForSelector('body[data-ready="true"]');
      const lines = await page.$$eval('td.cve', (cells) =>
        cells.map((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          // One client rect per line box the text occupies.
          return { id: cell.textContent, lines: range.getClientRects().length };
        }),
      );
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l, `${slug} ${l.id}`).toEqual({ id: l.id, lines: 1 });
      checked += lines.length;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    await page.close();
  });

  it('fits the module list in a 390 px wide screen', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${running.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const sizes = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="module-list"]') as HTMLElement;
      const card = table.closest('section') as HTMLElement;
      const style = getComputedStyle(card);
      return {
        page: document.documentElement.scrollWidth,
        tableRight: table.getBoundingClientRect().right,
        cardInnerRight: card.getBoundingClientRect().right - Number.parseFloat(style.paddingRight),
        tableScroll: table.scrollWidth,
        tableWidth: table.clientWidth,
      };
    });
    expect(sizes.page).toBeLessThanOrEqual(390);
    expect(sizes.tableRight).toBeLessThanOrEqual(sizes.cardInnerRight + 0.5);
    expect(sizes.tableScroll).toBeLessThanOrEqual(sizes.tableWidth);
    // Score, status and verdict stay visible.
    const row = page.locator('[data-testid="module-row"][data-slug="nextcloud"]');
    expect(await row.locator('[data-testid="verdict"]').isVisible()).toBe(true);
    expect(await row.locator('[data-testid="score"]').isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'catalog-list-390.png'), fullPage: true });
    await page.close();
  });

  it('loads every page with no failed request and no console error (favicon included)', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => problems.push(`failed ${r.url()}`));
    for (const path of ['/', '/modules/grafana', '/docs/vex', '/docs/admission', '/docs/verify']) {
      await page.goto(`${running.url}${path}`);
      await page.waitForSelector('body[data-ready="true"]');
      // Let the checks in this browser finish: leaving the page earlier would abort their
      // requests, which is the navigation's doing, not a failed request.
      await page.waitForFunction(
        () =>
          Array.from(
            document.querySelectorAll(
              '[data-testid="browser-check"], [data-testid="browser-verification"]',
            ),
          ).every((e) => (e as HTMLElement).dataset.state !== undefined),
        undefined,
        { timeout: 30_000 },
      );
    }
    // The browser asks for the icon on its own; give it the time to.
    await page
      .waitForResponse((r) => r.url().endsWith('/favicon.svg'), { timeout: 5_000 })
      .catch(() => {});
    expect(problems).toEqual([]);
    const icon = await page.evaluate(
      () => (document.querySelector('link[rel="icon"]') as HTMLLinkElement).href,
    );
    expect((await fetch(icon)).status).toBe(200);
    await page.close();
  });

  it('explains the Status and Verdict columns', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const legend = page.locator('[data-testid="legend"]');
    expect(await legend.isVisible()).toBe(true);
    expect(await legend.locator('#about-status').textContent()).toContain('passing from 85');
    expect(await legend.locator('#about-verdict').textContent()).toContain('denied');
    expect(await page.locator('th a[href="#about-verdict"]').textContent()).toBe('Verdict');
    await page.close();
  });

  it('renders the docs pages from the markdown', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/docs/vex`);
    expect(await page.locator('h1').textContent()).toBe('VEX in this catalog');
    expect(await page.locator('table').first().textContent()).toContain('under_investigation');
    await page.screenshot({ path: join(artifacts, 'docs-vex.png'), fullPage: true });
    const response = await page.goto(`${running.url}/docs/nope`);
    expect(response?.status()).toBe(404);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    await page.close();
  });

  it('says when a module is signed the cosign way, and links its stored record', async () => {
    // The registry test proves the API's answer for a real cosign-signed image; here the
    // page is shown that answer (rewritten in flight) to check what it says.
    const page = await context.newPage();
    const m = await api('/api/v1/modules/gitea');
    const signature = {
      ...m.signature,
      format: 'cosign-signature',
      formatLabel: 'cosign signature (.sig tag, simple signing)',
      file: 'signature.cosign.json',
      browserVerification: {
        supported: false,
        reason: 'A cosign signature record (.sig tag) is checked with @flareo/image-verify',
      },
    };
    await page.route('**/api/v1/modules/gitea', (route) =>
      route.fulfill({ json: { ...m, signature } }),
    );
    await page.goto(`${running.url}/modules/gitea`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('[data-testid="signature-format"]').textContent()).toBe(
      signature.formatLabel,
    );
    const note = page.locator('[data-testid="offline-check"]');
    expect(await note.locator('a[download="signature.cosign.json"]').getAttribute('href')).toBe(
      '/api/v1/modules/gitea/attestations/signature.cosign.json',
    );
    expect(await note.locator('pre').textContent()).toContain(
      `flareo verify-image ${m.image}@${m.digest}`,
    );
    const card = page.locator('[data-testid="browser-verification"][data-state="unsupported"]');
    expect(await card.locator('[data-testid="browser-status"]').textContent()).toContain(
      'Not verified in this browser: A cosign signature record',
    );
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

  // The module page verifies the signature again with the library, from the raw files.
  const browserCard = '[data-testid="browser-verification"]';
  const settled = `${browserCard}[data-state]`;

  it.each(SAMPLE_SLUGS)('verifies %s in this browser, step by step', async (slug) => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${running.url}/modules/${slug}`);
    await page.waitForSelector(settled, { timeout: 30_000 });
    const m = await api(`/api/v1/modules/${slug}`);
    const card = page.locator(browserCard);
    expect(await card.getAttribute('data-state')).toBe(EXPECTED_STATE);
    expect(await card.locator('[role="status"]').textContent()).toContain(EXPECTED_STATUS);
    const steps = await card
      .locator('[data-testid="browser-step"]')
      .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.check));
    // Every check, once, in pipeline order.
    expect(steps).toEqual(EXPECTED_STEPS);
    expect(EXPECTED_STEPS).toEqual(STEP_ORDER.filter((c) => EXPECTED_STEPS.includes(c)));
    expect(await card.locator('[data-testid="browser-trust-root"]').textContent()).toBe(
      m.signature.browserVerification.trustRootDigest,
    );
    // It fetched the raw files the catalog serves for download, and the verifier module.
    expect(fetched).toContain(m.signature.browserVerification.bundle);
    expect(fetched).toContain('/api/v1/trust/trusted_root.json');
    expect(fetched).toContain(m.signature.browserVerification.verifier);
    if (slug === 'grafana') {
      await page.screenshot({
        path: join(artifacts, 'module-browser-verified.png'),
        fullPage: true,
      });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('checks every module of the list in this browser', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${running.url}/`);
    const cells = page.locator('[data-testid="browser-check"]');
    expect(await cells.count()).toBe(SAMPLE_SLUGS.length);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="browser-check"][data-state]').length === n,
      SAMPLE_SLUGS.length,
      { timeout: 30_000 },
    );
    for (const slug of SAMPLE_SLUGS) {
      const cell = page.locator(`[data-slug="${slug}"] [data-testid="browser-check"]`);
      expect(await cell.getAttribute('data-state'), slug).toBe(EXPECTED_STATE);
      expect(await cell.textContent()).toBe(EXPECTED_LIST_TEXT);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a tampered module as failed in the list', async () => {
    const page = await context.newPage();
    const path = '/api/v1/modules/gitea/attestations/signature.sigstore.json';
    const bundle = await api(path);
    TAMPERING['a bundle with one byte of the signature changed']?.tamper(bundle);
    await page.route(`**${path}`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(bundle) }),
    );
    await page.goto(`${running.url}/`);
    const cell = page.locator('[data-slug="gitea"] [data-testid="browser-check"]');
    await page.waitForSelector('[data-slug="gitea"] [data-testid="browser-check"][data-state]');
    expect(await cell.getAttribute('data-state')).toBe('failed');
    expect(await cell.getAttribute('data-code')).toBe(EXPECTED_FAILURES.signature.code);
    const other = page.locator('[data-slug="grafana"] [data-testid="browser-check"]');
    await page.waitForSelector('[data-slug="grafana"] [data-testid="browser-check"][data-state]');
    expect(await other.getAttribute('data-state')).toBe(EXPECTED_STATE);
    await page.close();
  });

  /** Serve the grafana bundle with one change made by `tamper`, as a dishonest catalog would. */
  async function tamperedPage(tamper: (bundle: Json) => void) {
    const page = await context.newPage();
    const path = '/api/v1/modules/grafana/attestations/signature.sigstore.json';
    const bundle = await api(path);
    tamper(bundle);
    await page.route(`**${path}`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(bundle) }),
    );
    await page.goto(`${running.url}/modules/grafana`);
    await page.waitForSelector(settled, { timeout: 30_000 });
    const card = page.locator(browserCard);
    return {
      page,
      state: await card.getAttribute('data-state'),
      step: await card.getAttribute('data-failed-step'),
      code: await card.getAttribute('data-code'),
      status: await card.locator('[role="status"]').textContent(),
      shownCode: await card.locator('[data-testid="browser-error-code"]').textContent(),
    };
  }
  it.each(Object.entries(TAMPERING))(
    'shows the failing step and code when the catalog serves %s',
    async (_what, { tamper, step, code }) => {
      const shown = await tamperedPage(tamper);
      expect(shown.state).toBe('failed');
      expect(shown.status).toContain('Failed in this browser');
      expect({ step: shown.step, code: shown.code }).toEqual({ step, code });
      expect(shown.shownCode).toBe(code);
      await shown.page.close();
    },
  );

  it('holds the module to the catalog’s identity policy in the browser', async () => {
    // The policy is rewritten in flight to another module's: the browser must refuse.
    const page = await context.newPage();
    const m = await api('/api/v1/modules/grafana');
    const bv = m.signature.browserVerification;
    const identity = {
      ...bv.identity,
      subjectAlternativeName: {
        regexp: bv.identity.subjectAlternativeName.regexp.replace('grafana', 'gitea'),
      },
    };
    await page.route('**/api/v1/modules/grafana', (route) =>
      route.fulfill({
        json: { ...m, signature: { ...m.signature, browserVerification: { ...bv, identity } } },
      }),
    );
    await page.goto(`${running.url}/modules/grafana`);
    await page.waitForSelector(settled, { timeout: 30_000 });
    const card = page.locator(browserCard);
    expect(await card.getAttribute('data-failed-step')).toBe('identity');
    expect(await card.getAttribute('data-code')).toBe('IDENTITY_MISMATCH');
    // Every check before it passed and is listed.
    const passed = await card
      .locator('[data-testid="browser-step"]')
      .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.check));
    expect(passed).toEqual(EXPECTED_STEPS.slice(0, -1));
    await page.close();
  });

  it('fails when the trusted root served is not the one the catalog names', async () => {
    const page = await context.newPage();
    const root = await (await fetch(`${running.url}/api/v1/trust/trusted_root.json`)).text();
    await page.route('**/api/v1/trust/trusted_root.json', (route) =>
      route.fulfill({ contentType: 'application/json', body: `${root}\n` }),
    );
    await page.goto(`${running.url}/modules/grafana`);
    await page.waitForSelector(settled, { timeout: 30_000 });
    const card = page.locator(browserCard);
    expect(await card.getAttribute('data-failed-step')).toBe('trust-root');
    expect(await card.getAttribute('data-code')).toBe('TRUST_ROOT_MISMATCH');
    await page.close();
  });
});

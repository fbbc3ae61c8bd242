import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { generatedSource } from '../scripts/embed-docs.mjs';
import { DOC_PAGE_NAMES, renderMarkdown } from '../src/pages.js';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { now, SAMPLE_SLUGS, seededDataDir } from './support.js';

const PUBLIC = 'https://flareo-catalog.test';
let data: { dir: string; remove: () => Promise<void> };
let running: RunningCatalog;
let store: CatalogStore;
beforeAll(async () => {
  data = await seededDataDir();
  store = await CatalogStore.open(data.dir, { now });
  running = await startCatalogServer({ store, port: 0, logger: false, publicUrl: PUBLIC });
});
afterAll(async () => {
  await running?.close();
  await data?.remove();
});
const page = async (path: string) => {
  const response = await fetch(`${running.url}${path}`);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
  };
};

describe('documentation pages', () => {
  it('embeds the repository’s current markdown (run `npm run generate` after editing docs/)', () => {
    const embedded = readFileSync(new URL('../src/generated/docs.ts', import.meta.url), 'utf8');
    expect(embedded).toBe(generatedSource());
    expect([...DOC_PAGE_NAMES].sort()).toEqual(['admission', 'verify', 'vex']);
  });

  it('/docs/vex: the four statuses, the scanner snippets with this catalog’s URL, how VEX feeds the verdict', async () => {
    const { status, type, text } = await page('/docs/vex');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/html/);
    for (const s of ['not_affected', 'fixed', 'affected', 'under_investigation']) {
      expect(text).toContain(`<code>${s}</code>`);
    }
    expect(text).toContain(`curl -fsSL -o grafana.vex.json ${PUBLIC}/api/v1/modules/grafana/vex`);
    expect(text).toContain('trivy image --vex grafana.vex.json');
    expect(text).toContain('--vex grafana.vex.json'); // grype
    expect(text).toMatch(/grype [^\n]*--vex/);
    expect(text).toContain(`url: ${PUBLIC}`); // the VEX repository for trivy
    expect(text).toContain('trivy image --vex repo');
    expect(text).toContain('How VEX feeds the verdict');
    expect(text).not.toContain('catalog.example');
  });

  it('/docs/admission: the manifests and how to install them, with this catalog’s URL', async () => {
    const { status, text } = await page('/docs/admission');
    expect(status).toBe(200);
    for (const m of ['kyverno-verify-images', 'policy-controller', 'kyverno-verdict']) {
      expect(text).toContain(`<code>${m}</code>`);
    }
    expect(text).toContain(`CATALOG=${PUBLIC}`);
    expect(text).toContain(
      'kubectl apply -f &quot;$CATALOG/api/v1/admission/kyverno-verdict.yaml&quot;',
    );
    // The manifests it names are served.
    for (const m of ['kyverno-verify-images', 'policy-controller', 'kyverno-verdict']) {
      expect((await page(`/api/v1/admission/${m}.yaml`)).status).toBe(200);
    }
  });

  it('/docs/verify: the CLI commands to run', async () => {
    const { status, text } = await page('/docs/verify');
    expect(status).toBe(200);
    expect(text).toContain('flareo verify &quot;$DIGEST&quot;');
    expect(text).toContain('flareo verify-image');
    expect(text).toContain('flareo policy eval --input input.json');
    expect(text).toContain(`CATALOG=${PUBLIC}`);
    // Links to other docs go to the repository.
    expect(text).toContain('href="https://github.com/flareo/flareo/blob/main/docs/cli.md"');
  });

  it.each(['/docs/nope', '/docs/', '/docs/vex/extra', '/docs/constructor', '/docs/__proto__'])(
    '%s is the site’s 404 page',
    async (path) => {
      const { status, type, text } = await page(path);
      expect(status).toBe(404);
      expect(type).toMatch(/^text\/html/);
      expect(text).toContain('Page not found');
    },
  );

  it('escapes raw HTML and fills the catalog URL in markdown', () => {
    const { html, title } = renderMarkdown(
      '# T <b>\n\n<script>alert(1)</script>\n\nSee [admission](admission.md#install-them) and https://catalog.example/x <img src=x onerror=alert(1)>\n',
      'https://c.test',
    );
    expect(title).toBe('T <b>');
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('href="/docs/admission#install-them"');
    expect(html).toContain('https://c.test/x');
  });
});

describe('pages without JavaScript, favicon', () => {
  it('renders the module list on the server, with the API’s scores and verdicts and the column legend', async () => {
    const { status, text } = await page('/');
    expect(status).toBe(200);
    const modules = (
      (await (await fetch(`${running.url}/api/v1/modules`)).json()) as {
        modules: { slug: string; score: number; verdict: string; status: string }[];
      }
    ).modules;
    expect(modules.map((m) => m.slug).sort()).toEqual(SAMPLE_SLUGS);
    for (const m of modules) {
      const row = new RegExp(
        `data-slug="${m.slug}"[\\s\\S]*?data-testid="score">${m.score}<[\\s\\S]*?badge ${m.status}[\\s\\S]*?data-testid="verdict">${m.verdict}<`,
      );
      expect(text).toMatch(row);
    }
    expect(text).toContain('id="about-status"');
    expect(text).toContain('id="about-verdict"');
    expect(text).not.toContain('Loading…');
  });

  it('says so on a page drawn by the script', async () => {
    const { status, text } = await page('/modules/grafana');
    expect(status).toBe(200);
    expect(text).toContain('<noscript>');
  });

  it.each(['/favicon.svg', '/favicon.ico'])('serves %s', async (path) => {
    const response = await fetch(`${running.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).toMatch(/^<svg /);
  });
});

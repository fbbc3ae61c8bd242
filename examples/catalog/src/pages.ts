import { Marked, type Tokens } from 'marked';
import { DOC_SOURCES } from './generated/docs.js';

// Pages rendered on the server: the documentation pages (/docs/<name>, from the repository's
// markdown, embedded at build time) and the shell every page shares. Every value inserted
// into HTML goes through escapeHtml; raw HTML inside the markdown is shown as text.

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The placeholder the markdown pages use for the catalog's own URL. */
export const CATALOG_URL_PLACEHOLDER = 'https://catalog.example';
const REPOSITORY_BLOB = 'https://github.com/flareo/flareo/blob/main/';

/** The pages served under /docs/, by name. */
export const DOC_PAGE_NAMES: readonly string[] = Object.keys(DOC_SOURCES);
const pageOfFile = new Map(
  Object.entries(DOC_SOURCES).map(([name, s]) => [s.file.replace(/^docs\//, ''), name]),
);

/** Where a link of a docs page points once served: a served page, the repository, or as is. */
function rewriteHref(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) {
    return href;
  }
  const [path = '', fragment] = href.split('#', 2);
  const served = pageOfFile.get(path);
  const hash = fragment === undefined ? '' : `#${fragment}`;
  if (served !== undefined) return `/docs/${served}${hash}`;
  // Another file of the repository, relative to docs/.
  return new URL(path, `${REPOSITORY_BLOB}docs/`).href + hash;
}

const marked = new Marked({ gfm: true, async: false });
marked.use({
  walkTokens(token) {
    if (token.type === 'link' || token.type === 'image') {
      const link = token as Tokens.Link;
      link.href = rewriteHref(link.href);
    }
  },
  renderer: {
    // Raw HTML in the markdown is not trusted: it is shown as text.
    html(token) {
      return escapeHtml(token.text);
    },
  },
});

/**
 * Markdown to HTML with `marked`: the catalog's URL replaces {@link CATALOG_URL_PLACEHOLDER},
 * links to served pages point at `/docs/<name>`, other relative links at the repository, and
 * raw HTML is escaped (shown as text, never interpreted).
 */
export function renderMarkdown(
  markdown: string,
  catalogUrl: string,
  fallbackTitle = 'Flareo catalog',
): { title: string; html: string } {
  const text = markdown.replaceAll(CATALOG_URL_PLACEHOLDER, catalogUrl);
  return {
    title: /^# (.+)$/m.exec(text)?.[1] ?? fallbackTitle,
    html: marked.parse(text) as string,
  };
}

/** A documentation page rendered to HTML, with the catalog's URL filled in. */
export function renderDocPage(
  name: string,
  catalogUrl: string,
): { title: string; html: string } | undefined {
  const source = Object.hasOwn(DOC_SOURCES, name) ? DOC_SOURCES[name] : undefined;
  if (!source) return undefined;
  const { title, html } = renderMarkdown(source.markdown, catalogUrl, name);
  return {
    title,
    html: `${html}<p class="muted source">Rendered from <a href="${escapeHtml(REPOSITORY_BLOB + source.file)}">${escapeHtml(source.file)}</a>.</p>`,
  };
}

/** The shared page shell: header, navigation, main content. `main` must be safe HTML. */
export function pageShell(options: {
  readonly title: string;
  readonly main: string;
  readonly script?: boolean;
  readonly ready?: boolean;
}): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(options.title)}</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/assets/style.css" />
  </head>
  <body${options.ready ? ' data-ready="true"' : ''}>
    <header class="top">
      <a class="brand" href="/">Flareo catalog</a>
      <nav>
        <a href="/docs/verify">Verify</a>
        <a href="/docs/vex">VEX</a>
        <a href="/docs/admission">Admission</a>
        <a href="/api/v1/modules">API</a>
        <a href="/api/v1/openapi.json">OpenAPI</a>
        <a href="/.well-known/vex-repository.json">VEX repository</a>
        <a href="/api/v1/trust/trusted_root.json">Trusted root</a>
      </nav>
    </header>
    <main id="app" aria-live="polite">${options.main}</main>${
      options.script ? '\n    <script type="module" src="/assets/app.js"></script>' : ''
    }
  </body>
</html>
`;
}

/** One row of the module list, as `moduleSummary` serves it. */
export interface ListRow {
  readonly slug: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly score: number;
  readonly status: string;
  readonly verdict: string;
  readonly signedAt: string;
  readonly evaluatedAt: string;
}

/** `2025-06-01 12:00:00 UTC`. */
export const displayDate = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

/** Age of `iso` at `from`, as the page words it. */
export function age(iso: string, from: string): string {
  const hours = (new Date(from).getTime() - new Date(iso).getTime()) / 3_600_000;
  if (hours < 48) return `${Math.max(0, Math.round(hours))} hours ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** What the Status and Verdict columns mean (shown under the list). */
export function columnLegend(thresholds: { passing: number; warning: number }): string {
  return `<dl class="legend" data-testid="legend">
  <dt>Trust score, Status</dt>
  <dd id="about-status">The trust score (0–100, <code>@flareo/trust-score</code>) adds points for open vulnerabilities after VEX, the SLSA build level, the signature's freshness and the SBOM's completeness. Its status is <span class="badge passing">passing</span> from ${thresholds.passing}, <span class="badge warning">warning</span> from ${thresholds.warning}, <span class="badge failing">failing</span> below. It is advice: it does not block anything.</dd>
  <dt>Verdict</dt>
  <dd id="about-verdict">The admission decision of the catalog's policy (<code>@flareo/policy</code>), rule by rule on the module's page: <span class="badge pass">pass</span>, <span class="badge warn">warn</span> (admitted, with warnings) or <span class="badge fail">fail</span> (a Pod running the module is denied by the <a href="/docs/admission">admission policy</a>). A module can score well and still fail, for example with one open critical CVE.</dd>
  <dt>This browser</dt>
  <dd id="about-browser">The module's signature checked again by this page, in your browser, with the Flareo verifier the catalog serves, from the files it serves for download (not the server's verdict); the module's page lists every check. It needs JavaScript.</dd>
</dl>`;
}

/** The module list, rendered on the server (the page works without JavaScript). */
export function renderModuleList(
  rows: readonly ListRow[],
  thresholds: { passing: number; warning: number },
  /** A long catalog is shown a page at a time: how many modules in all, and the next page's URL. */
  paging?: { readonly total: number; readonly next: string | null },
): string {
  const e = escapeHtml;
  const body = rows
    .map(
      (m) => `<tr data-testid="module-row" data-slug="${e(m.slug)}">
  <td><a href="/modules/${e(m.slug)}">${e(m.name)}</a><div class="muted">${e(m.description)}</div></td>
  <td class="col-version">${e(m.version)}</td>
  <td data-testid="score">${e(String(m.score))}</td>
  <td><span class="badge ${e(m.status)}">${e(m.status)}</span></td>
  <td><span class="badge ${e(m.verdict)}" data-testid="verdict">${e(m.verdict)}</span></td>
  <td class="col-signed" title="${e(displayDate(m.signedAt))}">${e(age(m.signedAt, m.evaluatedAt))}</td>
  <td class="col-browser" data-testid="browser-check"><span class="muted" title="The page's script checks the signature again in this browser">—</span></td>
</tr>`,
    )
    .join('\n');
  return `<h1>Modules</h1>
<p class="muted">${paging?.total ?? rows.length} modules, each verified at ingest: signature and Rekor entry, SLSA provenance, SBOM, Trivy scan and OpenVEX.</p>
<section class="card">
<table data-testid="module-list" class="modules">
<thead><tr><th>Module</th><th class="col-version">Version</th><th><a href="#about-status">Trust score</a></th><th><a href="#about-status">Status</a></th><th><a href="#about-verdict">Verdict</a></th><th class="col-signed">Signed</th><th class="col-browser"><a href="#about-browser">This browser</a></th></tr></thead>
<tbody>
${body}
</tbody>
</table>
${paging?.next ? `<p><a data-testid="next-page" href="${e(paging.next)}">More modules →</a></p>` : ''}
${columnLegend(thresholds)}
</section>`;
}

/**
 * A module page as the server renders it, for a browser without JavaScript (the script
 * replaces it with the full page and the in-browser verification): the server's verdict.
 */
export function renderModuleFallback(
  m: ListRow & { readonly image: string; readonly digest: string },
  verification: { readonly verifiedAt: string; readonly checks: readonly string[] },
): string {
  const e = escapeHtml;
  return `<h1>${e(m.name)} <span class="muted">${e(m.version)}</span></h1>
<p class="mono">${e(m.image)}@${e(m.digest)}</p>
<section class="card summary" data-testid="server-verdict">
<div><div class="muted">Trust score</div><span class="score">${e(String(m.score))}</span> <span class="badge ${e(m.status)}">${e(m.status)}</span></div>
<div><div class="muted">Admission verdict</div><span class="badge ${e(m.verdict)}">${e(m.verdict)}</span></div>
<div><div class="muted">Signature</div><span class="ok">verified by the server</span> ${e(displayDate(verification.verifiedAt))} (${e(verification.checks.join(', '))})</div>
</section>`;
}

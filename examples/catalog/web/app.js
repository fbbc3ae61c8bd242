// The catalog's web page: plain DOM, no build step. Every value comes from the JSON API and
// is inserted as text (never as HTML).

const app = document.getElementById('app');

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function api(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(body?.error?.message ?? `HTTP ${response.status}`);
    error.code = body?.error?.code;
    throw error;
  }
  return body;
}

const badge = (value, testid) => h('span', { class: `badge ${value}`, testid }, value);
const date = (iso) =>
  iso
    ? new Date(iso)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : '—';
// Ages are counted from the server's evaluation time, the clock the score used.
function ago(iso, from) {
  const hours = (new Date(from).getTime() - new Date(iso).getTime()) / 3_600_000;
  if (hours < 48) return `${Math.max(0, Math.round(hours))} hours ago`;
  return `${Math.round(hours / 24)} days ago`;
}
// Tables scroll inside their card on narrow screens instead of widening the page.
const table = (head, rows, testid) =>
  h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { testid },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((c) => h('th', {}, c)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );

function check(ok, label) {
  return h('li', { class: ok ? 'ok' : 'no' }, label);
}

// A public-good Rekor entry links to search.sigstore.dev; a private log gets no public link
// (the server decides by log id, see the API's publicLog).
function rekorLookup(entry) {
  if (!entry) return '—';
  if (entry.searchUrl) {
    return h(
      'a',
      { href: entry.searchUrl, rel: 'noopener noreferrer', testid: 'rekor-search' },
      `search.sigstore.dev, log index ${entry.logIndex}`,
    );
  }
  return h('span', { class: 'muted' }, 'private log: no public search');
}

function verificationCard(m) {
  const s = m.signature;
  const rekor = s.rekor;
  const trustedBy = s.certificate?.trustedBy;
  const cosign = s.format === 'cosign-signature';
  const command = [
    cosign
      ? `flareo verify-image ${m.image}@${m.digest} --trust-root trusted_root.json`
      : `flareo verify ${m.digest}`,
    ...(cosign ? [] : [`  --bundle signature.sigstore.json --trust-root trusted_root.json`]),
    `  --certificate-identity '${s.identity ?? ''}'`,
    `  --certificate-oidc-issuer '${s.issuer ?? ''}'`,
  ].join(' \\\n');
  return h(
    'section',
    { class: 'card', testid: 'verification' },
    h('h2', {}, 'Signature verification'),
    h(
      'p',
      { testid: 'verification-result' },
      h('strong', {}, 'Verified by the catalog server'),
      ` with ${s.library} (${s.formatLabel}); not re-verified in this browser.`,
    ),
    h(
      'ul',
      {},
      check(true, `Signature over the artifact digest ${m.digest}`),
      check(
        Boolean(trustedBy),
        trustedBy?.kind === 'certificate-authority'
          ? `Certificate chains to the trusted CA ${trustedBy.anchor}, codeSigning, valid at the signing time`
          : 'Signer pinned in the trust root',
      ),
      check(
        Boolean(s.identity),
        `Identity ${s.identity ?? '—'} matches the catalog's identity policy`,
      ),
      check(Boolean(s.issuer), `OIDC issuer ${s.issuer ?? '—'}`),
      rekor && check(rekor.checks.set, 'Rekor signed entry timestamp (SET)'),
      rekor && check(rekor.checks.inclusionProof, 'Rekor inclusion proof'),
      rekor && check(rekor.checks.checkpoint, 'Signed checkpoint'),
      rekor &&
        check(rekor.checks.body, 'Log entry body binds this signature, certificate and digest'),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Signature format'),
      h('dd', { testid: 'signature-format' }, s.formatLabel),
      h('dt', {}, 'Identity'),
      h('dd', { class: 'mono', testid: 'identity' }, s.identity ?? '—'),
      h('dt', {}, 'Issuer'),
      h('dd', { class: 'mono' }, s.issuer ?? '—'),
      h('dt', {}, 'Rekor log index'),
      h('dd', { class: 'mono', testid: 'rekor-log-index' }, rekor ? rekor.logIndex : '—'),
      h('dt', {}, 'Log entry'),
      h('dd', { class: 'mono' }, rekor ? `${rekor.kind}, log ${rekor.logId}` : '—'),
      h('dt', {}, 'Entry UUID'),
      h('dd', { class: 'mono', testid: 'rekor-uuid' }, rekor?.uuid ?? '—'),
      h('dt', {}, 'Look it up'),
      h('dd', { testid: 'rekor-lookup' }, rekorLookup(rekor)),
      h('dt', {}, 'Provenance entry'),
      h(
        'dd',
        { class: 'mono', testid: 'provenance-rekor' },
        m.provenance.rekorEntries.length === 0
          ? '—'
          : m.provenance.rekorEntries.map((e) =>
              h('div', {}, `log index ${e.logIndex}, UUID ${e.uuid ?? '—'} `, rekorLookup(e)),
            ),
      ),
      h('dt', {}, 'Signed'),
      h('dd', {}, `${date(s.signedAt)} (${ago(s.signedAt, m.evaluatedAt)})`),
      h('dt', {}, 'Certificate'),
      h(
        'dd',
        { class: 'mono' },
        s.certificate
          ? `${s.certificate.fingerprint}, valid ${date(s.certificate.notBefore)} – ${date(s.certificate.notAfter)}`
          : '—',
      ),
    ),
    h(
      'div',
      { class: 'note', testid: 'browser-note' },
      h('p', {}, h('strong', {}, 'Why not in your browser? '), s.browserVerification.reason),
      h(
        'p',
        {},
        'Check it yourself, offline: download ',
        h(
          'a',
          { href: `/api/v1/modules/${m.slug}/attestations/${s.file}`, download: s.file },
          s.file,
        ),
        ' and ',
        h(
          'a',
          { href: '/api/v1/trust/trusted_root.json', download: 'trusted_root.json' },
          'trusted_root.json',
        ),
        cosign
          ? ' (what the server verified; the command below fetches the signature from the registry again), then run:'
          : ', then run:',
      ),
      h('pre', {}, command),
    ),
  );
}

function scoreCard(m) {
  return h(
    'section',
    { class: 'card', testid: 'score-breakdown' },
    h('h2', {}, 'Trust score'),
    h('p', {}, m.trustScore.statusReason),
    table(
      ['Signal', 'Points', 'Weight', 'Why'],
      m.trustScore.signals.map((s) =>
        h(
          'tr',
          { testid: 'signal' },
          h('td', {}, s.signal),
          h('td', {}, String(s.points)),
          h('td', {}, String(s.weight)),
          h('td', {}, s.reason),
        ),
      ),
    ),
  );
}

function policyCard(m) {
  return h(
    'section',
    { class: 'card', testid: 'policy' },
    h('h2', {}, 'Admission verdict ', badge(m.policy.verdict)),
    table(
      ['Rule', 'Result', 'Enforcement', 'Detail'],
      m.policy.rules.map((r) =>
        h(
          'tr',
          { testid: 'rule', 'data-rule': r.rule },
          h('td', { class: 'mono' }, r.rule),
          h('td', {}, badge(r.result)),
          h('td', {}, r.enforcement),
          h('td', {}, r.message),
        ),
      ),
    ),
  );
}

function findingsCard(m) {
  const { open, suppressed } = m.vulnerabilities;
  const pkg = (f) => `${f.package.name ?? ''} ${f.package.version ?? ''}`.trim();
  return h(
    'section',
    { class: 'card', testid: 'findings' },
    h('h2', {}, 'Vulnerabilities after VEX'),
    h('h3', {}, `Residual (${open.length})`),
    open.length === 0
      ? h('p', { class: 'muted' }, 'No open findings.')
      : table(
          ['CVE', 'Package', 'Severity', 'Status', 'Action'],
          open.map((f) =>
            h(
              'tr',
              { testid: 'residual' },
              h('td', { class: 'mono cve' }, f.vulnerability),
              h('td', {}, pkg(f)),
              h('td', {}, f.severity),
              h('td', {}, f.disposition.replace('_', ' ')),
              h('td', {}, f.actionStatement ?? ''),
            ),
          ),
        ),
    h('h3', {}, `Suppressed by VEX (${suppressed.length})`),
    suppressed.length === 0
      ? h('p', { class: 'muted' }, 'Nothing suppressed.')
      : table(
          ['CVE', 'Package', 'Severity', 'Status', 'Justification', 'Impact statement'],
          suppressed.map((f) =>
            h(
              'tr',
              { testid: 'suppressed' },
              h('td', { class: 'mono cve' }, f.vulnerability),
              h('td', {}, pkg(f)),
              h('td', {}, f.severity),
              h('td', {}, f.status ?? ''),
              h('td', {}, f.justification ?? ''),
              h('td', {}, f.impactStatement ?? ''),
            ),
          ),
        ),
  );
}

const PART_NAMES = {
  contact: 'Contact file',
  sbom: 'SBOM',
  scan: 'Trivy report',
  vex: 'VEX document',
};

function partsCard(m) {
  return h(
    'section',
    { class: 'card', testid: 'parts' },
    h('h2', {}, 'Signed parts'),
    h(
      'p',
      { class: 'muted' },
      'Each part verified at ingest as an in-toto attestation about this image, signed by the module identity (cosign attest), or shown as not signed.',
    ),
    table(
      ['Part', 'File', 'Signed by', 'Rekor log index'],
      m.parts.map((p) =>
        h(
          'tr',
          { testid: 'part', 'data-file': p.file },
          h('td', {}, PART_NAMES[p.part] ?? p.part),
          h('td', { class: 'mono' }, p.file),
          h(
            'td',
            { class: p.signed ? 'ok' : 'no' },
            p.signed ? (p.identity ?? 'signed') : 'not signed',
          ),
          h('td', { class: 'mono' }, p.logIndex ?? '—'),
        ),
      ),
    ),
  );
}

function factsCard(m) {
  const p = m.provenance;
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Provenance, SBOM and contact'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'SLSA build level'),
      h('dd', {}, `${p.level} — ${p.reason}`),
      h('dt', {}, 'Builder'),
      h('dd', { class: 'mono' }, p.builderId ?? '—'),
      h('dt', {}, 'SBOM'),
      h('dd', {}, m.sbom.reason),
      h('dt', {}, 'Built'),
      h('dd', {}, date(m.builtAt)),
      h('dt', {}, 'Last verified'),
      h(
        'dd',
        { 'data-testid': 'last-verified' },
        `${date(m.verification.verifiedAt)} (${m.verification.checks.join(', ')})`,
      ),
      h('dt', {}, 'Contact'),
      h('dd', {}, h('a', { href: `mailto:${m.contact.contact.email}` }, m.contact.contact.email)),
      h('dt', {}, 'API'),
      h(
        'dd',
        {},
        ...['vex', 'policy', 'score', 'attestations'].flatMap((k) => [
          h('a', { href: m.links[k] }, k),
          ' ',
        ]),
      ),
    ),
  );
}

async function renderModule(slug) {
  let m;
  try {
    m = await api(`/api/v1/modules/${encodeURIComponent(slug)}`);
  } catch (error) {
    app.replaceChildren(
      h('h1', {}, 'Module not found'),
      h('p', { testid: 'error' }, `${error.code ?? 'ERROR'}: ${error.message}`),
      h('a', { href: '/' }, 'All modules'),
    );
    return;
  }
  document.title = `${m.name} — Flareo catalog`;
  app.replaceChildren(
    h('p', {}, h('a', { href: '/' }, '← All modules')),
    h('h1', {}, `${m.name} `, h('span', { class: 'muted' }, m.version)),
    h('p', { class: 'mono' }, `${m.image}@${m.digest}`),
    h(
      'section',
      { class: 'card summary' },
      h(
        'div',
        {},
        h('div', { class: 'muted' }, 'Trust score'),
        h('span', { class: 'score', testid: 'score' }, String(m.score)),
        ' ',
        badge(m.status, 'status'),
      ),
      h('div', {}, h('div', { class: 'muted' }, 'Admission verdict'), badge(m.verdict, 'verdict')),
      h(
        'div',
        {},
        h('div', { class: 'muted' }, 'Signature'),
        h('span', { class: 'ok' }, 'verified by the server'),
      ),
    ),
    verificationCard(m),
    scoreCard(m),
    policyCard(m),
    findingsCard(m),
    partsCard(m),
    factsCard(m),
  );
}

function renderNotFound() {
  document.title = 'Not found — Flareo catalog';
  app.replaceChildren(
    h('h1', {}, 'Page not found'),
    h('p', { testid: 'error' }, `NOT_FOUND: no page ${location.pathname}`),
    h('a', { href: '/' }, 'All modules'),
  );
}

async function route() {
  const match = /^\/modules\/([^/]+)\/?$/.exec(location.pathname);
  try {
    if (match) await renderModule(decodeURIComponent(match[1]));
    else if (location.pathname === '/') {
      // The list is rendered on the server; nothing to draw.
    } else renderNotFound();
    document.body.dataset.ready = 'true';
  } catch (error) {
    app.replaceChildren(
      h('p', { testid: 'error' }, `Could not load the catalog: ${error.message}`),
    );
    document.body.dataset.ready = 'error';
  }
}

route();

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
      ` with ${s.library} (${s.formatLabel}), when it was ingested and again since. This browser checks it again below, without the server's word.`,
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
      { class: 'note', testid: 'offline-check' },
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

// The checks the browser verifier reports (its onStep names), as the page words them.
const STEP_LABELS = {
  'trust-root': 'Trusted root of this catalog parsed',
  parse: 'Bundle parsed',
  digest: 'Artifact digest matches the signed digest',
  signature: 'Signature over the artifact digest',
  timestamp: 'RFC 3161 timestamp',
  'log-set': 'Rekor signed entry timestamp (SET)',
  'log-inclusion-proof': 'Rekor inclusion proof',
  'log-checkpoint': 'Signed checkpoint',
  'log-body': 'Log entry body binds this signature, certificate and digest',
  'trusted-time': 'Signing time from a verified source',
  'certificate-chain': 'Certificate chains to the trusted CA',
  sct: 'Certificate transparency (SCT)',
  identity: "Identity matches the catalog's identity policy",
  // The steps a failure names (@flareo/bundle-verify's BundleVerifyError step).
  trust: 'Trust in the signer',
  time: 'Signing time',
  certificate: 'Certificate chain to the trusted CA',
  tlog: 'Transparency log evidence',
  load: 'Loading the verifier',
  fetch: 'Fetching the files',
};
const stepLabel = (check) => STEP_LABELS[check] ?? check;

const hexOf = (buffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

async function fetchOk(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) {
    const error = new Error(`${path}: HTTP ${response.status}`);
    error.code = 'FETCH_FAILED';
    error.step = 'fetch';
    throw error;
  }
  return response;
}

const failure = (message, code, step) => Object.assign(new Error(message), { code, step });

// One import of the verifier and one fetch of the trusted root per page, shared by every check.
const loaded = new Map();
const once = (key, load) => {
  if (!loaded.has(key)) loaded.set(key, load());
  return loaded.get(key);
};

/**
 * Verify a module's signature here from what the catalog serves for download (the bundle and
 * trusted_root.json, fetched raw), with the verifier module the catalog built. Resolves with
 * the verifier's result; rejects with an error carrying `step` and `code`.
 */
async function verifyHere(bv, onStep, onTrustRoot = () => {}) {
  if (!/^\/assets\/verifier-[0-9a-f]{16}\.js$/.test(bv.verifier)) {
    throw failure(`unexpected verifier ${bv.verifier}`, 'VERIFIER_INVALID', 'load');
  }
  const [verifier, bundleResponse, root] = await Promise.all([
    once(bv.verifier, () => import(bv.verifier)),
    fetchOk(bv.bundle),
    once(bv.trustedRoot, async () => {
      const bytes = await (await fetchOk(bv.trustedRoot)).arrayBuffer();
      const digest = `sha256:${hexOf(await crypto.subtle.digest('SHA-256', bytes))}`;
      return { text: new TextDecoder().decode(bytes), digest };
    }),
  ]);
  onTrustRoot(root.digest);
  if (root.digest !== bv.trustRootDigest) {
    throw failure(
      `the trusted root served is ${root.digest}, the catalog says ${bv.trustRootDigest}`,
      'TRUST_ROOT_MISMATCH',
      'trust-root',
    );
  }
  let bundle;
  try {
    bundle = JSON.parse(await bundleResponse.text());
  } catch (error) {
    throw failure(`the bundle is not JSON: ${error.message}`, 'BUNDLE_MALFORMED', 'parse');
  }
  return verifier.verifyModuleSignature({
    bundle,
    digest: bv.artifact.digest,
    trustedRoot: root.text,
    identity: bv.identity,
    rekorPolicy: bv.verifierOptions.rekor.policy,
    onStep,
  });
}

// The module list: each row's signature is checked here too, a few at a time, and its
// "This browser" cell says how that went (the module's page lists the steps).
async function verifyList() {
  const cells = [...document.querySelectorAll('[data-testid="browser-check"]')];
  const queue = cells.slice();
  const worker = async () => {
    for (let cell = queue.shift(); cell; cell = queue.shift()) {
      const slug = cell.closest('[data-slug]')?.dataset.slug;
      const show = (state, text, title) => {
        cell.dataset.state = state;
        cell.replaceChildren(h('span', { class: state === 'failed' ? 'no' : 'ok', title }, text));
        if (state === 'unsupported') cell.firstChild.className = 'muted';
      };
      try {
        const m = await api(`/api/v1/modules/${encodeURIComponent(slug)}`);
        const bv = m.signature.browserVerification;
        if (!bv?.supported) {
          show('unsupported', 'not checked', bv?.reason);
          continue;
        }
        const result = await verifyHere(bv, () => {});
        show('verified', 'verified', result.steps.map((step) => stepLabel(step.check)).join(', '));
      } catch (error) {
        cell.dataset.code = error.code ?? 'ERROR';
        show(
          'failed',
          `${stepLabel(error.step ?? 'unknown')}: ${error.code ?? 'ERROR'}`,
          error.message,
        );
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

// The module's signature, verified again here with the library itself (a module the catalog
// built with esbuild), over what the catalog serves for download: the bundle, the artifact
// digest and trusted_root.json, fetched raw. The server's verdict plays no part.
function browserCard(m) {
  const bv = m.signature.browserVerification;
  const status = h('p', { role: 'status', testid: 'browser-status' }, 'Verifying in this browser…');
  const steps = h('ol', { class: 'steps', testid: 'browser-steps' });
  const facts = h('div', { class: 'muted', testid: 'browser-facts' });
  const card = h(
    'section',
    { class: 'card', testid: 'browser-verification', 'aria-busy': 'true' },
    h('h2', {}, 'Verification in this browser'),
    status,
    steps,
    facts,
  );
  const finish = (state, ...text) => {
    card.dataset.state = state;
    card.setAttribute('aria-busy', 'false');
    status.replaceChildren(...text);
  };
  const pass = (step) =>
    steps.append(
      h(
        'li',
        { class: 'ok', testid: 'browser-step', 'data-check': step.check },
        stepLabel(step.check),
        step.detail ? h('span', { class: 'muted' }, ` — ${step.detail}`) : null,
      ),
    );
  if (!bv?.supported) {
    finish('unsupported', `Not verified in this browser: ${bv?.reason ?? 'not available'}`);
    return { card, run: async () => {} };
  }
  const run = async () => {
    try {
      const result = await verifyHere(bv, pass, (rootDigest) =>
        facts.append(
          h(
            'p',
            {},
            'Trusted root: ',
            h('a', { href: bv.trustedRoot }, 'trusted_root.json'),
            ' from this catalog, ',
            h('span', { class: 'mono', testid: 'browser-trust-root' }, rootDigest),
            ' (compare it with your own copy: the page does not pin it).',
          ),
        ),
      );
      finish(
        'verified',
        h('strong', { class: 'ok' }, 'verified in this browser'),
        ` — ${result.steps.length} checks passed.`,
      );
    } catch (error) {
      const step = error.step ?? 'unknown';
      const code = error.code ?? 'ERROR';
      steps.append(
        h(
          'li',
          { class: 'no', testid: 'browser-step-failed', 'data-check': step },
          stepLabel(step),
        ),
      );
      card.dataset.failedStep = step;
      card.dataset.code = code;
      finish(
        'failed',
        h('strong', { class: 'no' }, 'Failed in this browser'),
        ' at ',
        h('span', { testid: 'browser-failed-step' }, stepLabel(step)),
        ': ',
        h('code', { testid: 'browser-error-code' }, code),
        ` — ${error.message}`,
      );
    }
  };
  return { card, run };
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
  const browser = browserCard(m);
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
    browser.card,
    verificationCard(m),
    scoreCard(m),
    policyCard(m),
    findingsCard(m),
    partsCard(m),
    factsCard(m),
  );
  // Not awaited: the page is ready while the check runs; its card reports each step.
  browser.run();
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
      // The list is rendered on the server; the script checks each row's signature here.
      verifyList();
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

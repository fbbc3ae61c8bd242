import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { publicGoodTrustRoot } from '@flareo/trust-root';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ADMISSION_MANIFESTS, admissionManifest } from '../src/admission.js';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore, identityFor } from '../src/store.js';
import { now, SAMPLE_SLUGS, seededDataDir } from './support.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
type Json = any;

// The upstream CRDs, vendored unchanged (fixtures/k8s/SOURCES.md).
const crdSchema = (file: string, version: string): Json => {
  const crd = YAML.parse(
    readFileSync(new URL(`../../../fixtures/k8s/${file}`, import.meta.url), 'utf8'),
  );
  const found = crd.spec.versions.find((v: Json) => v.name === version);
  const schema = structuredClone(found.schema.openAPIV3Schema);
  // apiVersion, kind and metadata are implicit in every CRD (the API server adds them); some
  // CRDs declare them, others (policy-controller) do not.
  schema.properties = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    ...schema.properties,
  };
  return closeObjects(schema);
};

/**
 * The API server prunes fields a structural schema does not declare, so a misspelled field
 * would vanish silently in a cluster. Make that a validation error here: every object schema
 * that declares properties and does not preserve unknown fields gets additionalProperties false.
 */
function closeObjects(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  for (const [k, v] of Object.entries(schema)) schema[k] = closeObjects(v);
  if (
    schema.properties &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  return schema;
}

// strict: false lets ajv ignore the x-kubernetes-* extensions and OpenAPI-only keywords.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
let kyverno: ValidateFunction;
let policyController: ValidateFunction;
const validatorFor = (m: Json) =>
  m.apiVersion === 'kyverno.io/v1' && m.kind === 'ClusterPolicy'
    ? kyverno
    : m.apiVersion === 'policy.sigstore.dev/v1beta1' && m.kind === 'ClusterImagePolicy'
      ? policyController
      : undefined;
function expectValid(manifest: Json, where: string) {
  const validate = validatorFor(manifest);
  expect(validate, `${where}: a known kind`).toBeDefined();
  const ok = (validate as ValidateFunction)(manifest);
  expect(ok ? [] : validate?.errors, where).toEqual([]);
}

let data: { dir: string; remove: () => Promise<void> };
let running: RunningCatalog;
let store: CatalogStore;
beforeAll(async () => {
  kyverno = ajv.compile(crdSchema('kyverno.clusterpolicies.crd.yaml', 'v1'));
  policyController = ajv.compile(
    crdSchema('policy-controller.clusterimagepolicy.crd.yaml', 'v1beta1'),
  );
  data = await seededDataDir();
  store = await CatalogStore.open(data.dir, { now });
  running = await startCatalogServer({ store, port: 0, logger: false });
});
afterAll(async () => {
  await running?.close();
  await data?.remove();
});

async function fetchManifest(path: string): Promise<{ yaml: Json; json: Json }> {
  const y = await fetch(`${running.url}${path}.yaml`);
  expect(y.status, path).toBe(200);
  expect(y.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
  const j = await fetch(`${running.url}${path}.json`);
  expect(j.status, path).toBe(200);
  expect(j.headers.get('content-type')).toMatch(/^application\/json/);
  return { yaml: YAML.parse(await y.text()), json: await j.json() };
}

const scopes = () => [
  { path: '/api/v1/admission', slugs: SAMPLE_SLUGS },
  ...SAMPLE_SLUGS.map((slug) => ({ path: `/api/v1/modules/${slug}/admission`, slugs: [slug] })),
];

describe('generated admission manifests', () => {
  it('every manifest, catalog-wide and per module, in YAML and JSON, is valid against its upstream CRD', async () => {
    let checked = 0;
    for (const scope of scopes()) {
      for (const name of ADMISSION_MANIFESTS) {
        const { yaml, json } = await fetchManifest(`${scope.path}/${name}`);
        expect(yaml).toEqual(json);
        expectValid(json, `${scope.path}/${name}`);
        checked++;
      }
    }
    expect(checked).toBe(3 * (SAMPLE_SLUGS.length + 1));
  });

  it('the schema check can fail: misspelled fields, wrong enums and wrong types are refused', async () => {
    const { json } = await fetchManifest('/api/v1/admission/kyverno-verify-images');
    const keyless = json.spec.rules[0].verifyImages[0].attestors[0].entries[0].keyless;
    const misspelled = structuredClone(json);
    misspelled.spec.rules[0].verifyImages[0].attestors[0].entries[0].keyless = {
      ...keyless,
      subjectRegex: keyless.subjectRegExp,
    };
    expect(kyverno(misspelled)).toBe(false);
    const wrongEnum = structuredClone(json);
    wrongEnum.spec.rules[0].verifyImages[0].failureAction = 'Deny';
    expect(kyverno(wrongEnum)).toBe(false);
    const { json: cip } = await fetchManifest('/api/v1/admission/policy-controller');
    const wrongType = structuredClone(cip);
    wrongType.spec.images = 'registry.flareo.test/*';
    expect(policyController(wrongType)).toBe(false);
  });

  it('carries the catalog’s own identity regexps, issuer, CA and Rekor key', async () => {
    const { json: verify } = await fetchManifest('/api/v1/admission/kyverno-verify-images');
    const { json: cip } = await fetchManifest('/api/v1/admission/policy-controller');
    const log = store.trustRoot.tlogs[0];
    const logPem = log?.key.keyObject.export({ type: 'spki', format: 'pem' }).toString();
    expect(verify.spec.rules.map((r: Json) => r.name)).toEqual(
      SAMPLE_SLUGS.map((s) => `verify-${s}`),
    );
    for (const slug of SAMPLE_SLUGS) {
      const catalogRegexp = (
        identityFor(store.config, slug).subjectAlternativeName as { regexp: string }
      ).regexp;
      const rule = verify.spec.rules.find((r: Json) => r.name === `verify-${slug}`);
      const image = store.get(slug).module.manifest.image;
      expect(rule.verifyImages[0].imageReferences).toEqual([`${image}:*`, `${image}@*`]);
      const keyless = rule.verifyImages[0].attestors[0].entries[0].keyless;
      expect(keyless.subjectRegExp).toBe(`^(?:${catalogRegexp})$`);
      expect(keyless.issuer).toBe(store.config.identity.issuer);
      expect(keyless.rekor.pubkey).toBe(logPem);
      for (const ca of store.trustRoot.certificateAuthorities) {
        for (const c of ca.certificates) {
          // node:crypto's PEM of the same DER, as an independent encoder.
          expect(keyless.roots).toContain(new X509Certificate(c.der).toString().trim());
        }
      }
      const authority = cip.spec.authorities.find((a: Json) => a.name === `flareo-${slug}`);
      expect(authority.keyless.identities).toEqual([
        { issuer: store.config.identity.issuer, subjectRegExp: keyless.subjectRegExp },
      ]);

      // The regexp admits the module's real signer and no other module's.
      const signer = store.get(slug).module.signature.identity as string;
      expect(new RegExp(keyless.subjectRegExp).test(signer)).toBe(true);
      for (const other of SAMPLE_SLUGS.filter((s) => s !== slug)) {
        const otherSigner = store.get(other).module.signature.identity as string;
        expect(new RegExp(keyless.subjectRegExp).test(otherSigner), `${slug} vs ${other}`).toBe(
          false,
        );
      }
    }
    expect(cip.spec.images).toHaveLength(2 * SAMPLE_SLUGS.length);
  });

  it('the verdict policy asks the catalog, and the answer it reads denies exactly the failing modules', async () => {
    const { json } = await fetchManifest('/api/v1/admission/kyverno-verdict');
    expect(json.spec.rules).toHaveLength(SAMPLE_SLUGS.length);
    const denied: string[] = [];
    for (const rule of json.spec.rules) {
      const slug = rule.name.replace(/^verdict-/, '');
      const call = rule.context[0].apiCall;
      expect(call.service.url).toBe(`${running.url}/api/v1/modules/${slug}/policy`);
      expect(call.jmesPath).toBe('result.verdict');
      const answer = (await (await fetch(call.service.url)).json()) as Json;
      const verdict = answer.result.verdict; // what jmesPath result.verdict selects
      const condition = rule.validate.deny.conditions.any[0];
      expect(condition).toEqual({ key: '{{ flareoVerdict }}', operator: 'Equals', value: 'fail' });
      if (verdict === condition.value) denied.push(slug);
    }
    expect(denied).toEqual(['nextcloud']);
  });

  it('for a catalog that trusts the public-good instance, uses its Rekor and Fulcio defaults', () => {
    const entry = store.get('grafana');
    const source = {
      config: store.config,
      trustRoot: publicGoodTrustRoot(),
      modules: [entry],
      catalogUrl: 'https://catalog.example',
    };
    const verify: Json = admissionManifest('kyverno-verify-images', source);
    expectValid(verify, 'public-good kyverno-verify-images');
    const keyless = verify.spec.rules[0].verifyImages[0].attestors[0].entries[0].keyless;
    expect(keyless.rekor).toEqual({ url: 'https://rekor.sigstore.dev' });
    expect(keyless.roots).toBeUndefined();
    const cip: Json = admissionManifest('policy-controller', source);
    expectValid(cip, 'public-good policy-controller');
    expect(cip.spec.authorities[0].keyless.trustRootRef).toBeUndefined();
    expect(cip.spec.authorities[0].ctlog).toEqual({ url: 'https://rekor.sigstore.dev' });
  });

  it('answers 404 for an unknown manifest or module', async () => {
    const unknown = await fetch(`${running.url}/api/v1/admission/kyverno.xml`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Json).error.code).toBe('NOT_FOUND');
    const noModule = await fetch(
      `${running.url}/api/v1/modules/nope/admission/kyverno-verdict.yaml`,
    );
    expect(noModule.status).toBe(404);
    expect(((await noModule.json()) as Json).error.code).toBe('MODULE_NOT_FOUND');
  });
});

import { readVector, vectorsDir } from '@flareo/testkit';
import { bench, describe } from 'vitest';
import { applyToTrivy, createVexIndex, parseVex, validateVex } from '../src/index.js';
import { PRODUCT, rke2, trivyReport } from './fixtures.js';

const dir = vectorsDir();
const doc = dir ? rke2() : undefined;
const index = doc ? createVexIndex([doc]) : undefined;
const text = dir ? readVector('vex/openvex/vexhub-rke2.openvex.json') : undefined;
const names = doc ? [...new Set(doc.document.statements.map((s) => s.vulnerability.name))] : [];

describe.skipIf(!dir)('vexhub-rke2 (1,666 statements): load', () => {
  bench('validate the document (strict)', () => {
    if (doc) validateVex(doc.document);
  });
  bench('validate the document text (lenient, as the CLI does)', () => {
    if (text) validateVex(text, { mode: 'lenient' });
  });
  bench('build the index', () => {
    if (doc) createVexIndex([doc]);
  });
  // An index files a vulnerability's statements when that vulnerability is first looked
  // up: this row builds the index and looks up every vulnerability once.
  bench('build the index and look up every vulnerability', () => {
    if (!doc) return;
    const built = createVexIndex([doc]);
    for (const name of names) built.resolve({ vulnerability: name, product: PRODUCT });
  });
});

// What `flareo vex apply` does after reading its inputs: lenient validation of the VEX text,
// the index, and the apply to a 10,000-finding report without a product.
describe.skipIf(!dir)('vexhub-rke2, the whole vex apply pipeline', () => {
  const report = doc ? trivyReport(doc, 10_000) : {};
  bench(
    'validate (lenient), index and apply to 10,000 findings',
    () => {
      if (!text) return;
      applyToTrivy(report, createVexIndex([parseVex(text, { mode: 'lenient' })]));
    },
    { iterations: 10, warmupIterations: 1 },
  );
});

// Linear growth: the same mix of findings (a third matched, a third near misses, a third
// unrelated) at 1k, 10k and 100k. Resolution is indexed, so time per finding stays flat.
for (const n of [1_000, 10_000, 100_000]) {
  describe.skipIf(!dir)(
    `vexhub-rke2 against a generated Trivy report: ${n.toLocaleString('en')} findings`,
    () => {
      const report = doc ? trivyReport(doc, n) : {};
      bench(
        `applyToTrivy, ${n.toLocaleString('en')} findings`,
        () => {
          if (index) applyToTrivy(report, index, { product: PRODUCT });
        },
        { iterations: n >= 100_000 ? 3 : 10, warmupIterations: 1 },
      );
    },
  );
}

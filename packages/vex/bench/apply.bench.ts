import { vectorsDir } from '@flareo/testkit';
import { bench, describe } from 'vitest';
import { applyToTrivy, createVexIndex, validateVex } from '../src/index.js';
import { PRODUCT, rke2, trivyReport } from './fixtures.js';

const dir = vectorsDir();
const doc = dir ? rke2() : undefined;
const index = doc ? createVexIndex([doc]) : undefined;

describe.skipIf(!dir)('vexhub-rke2 (1,666 statements): load', () => {
  bench('validate the document (strict)', () => {
    if (doc) validateVex(doc.document);
  });
  bench('build the index', () => {
    if (doc) createVexIndex([doc]);
  });
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

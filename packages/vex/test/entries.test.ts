import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as advanced from '../src/advanced.js';
import * as main from '../src/index.js';

// The names each entry promises. A change here is a change of the public API: say so in a
// changeset.
describe('public entries', () => {
  it('the main entry: the everyday API', () => {
    expect(Object.keys(main).sort()).toEqual([
      'SEVERITIES',
      'VexBuilder',
      'VexError',
      'VexIndex',
      'applyToGrype',
      'applyToSarif',
      'applyToTrivy',
      'createVexIndex',
      'detectFormat',
      'mergeVex',
      'parseVex',
      'validateVex',
    ]);
  });

  it('@flareo/vex/advanced: the building blocks', () => {
    expect(Object.keys(advanced).sort()).toEqual([
      'HASH_ALGORITHMS',
      'JUSTIFICATIONS',
      'MAX_REPORT_DEPTH',
      'MAX_VEX_DEPTH',
      'OPENVEX_CONTEXT',
      'SARIF_LIMITATION',
      'STATUSES',
      'comparePurls',
      'computeResidual',
      'conformsToOpenVexSchema',
      'normalizeHash',
      'normalizeSeverity',
      'openVexSchema',
      'parsePurl',
      'purlMatches',
      'sarifVulnerabilityId',
    ]);
  });

  it('computeResidual refuses what is not a list of findings', () => {
    for (const bad of [undefined, null, {}, 'x']) {
      expect(() => advanced.computeResidual(bad as never)).toThrowError(
        expect.objectContaining({ name: 'VexError', code: 'ARGUMENT_INVALID' }),
      );
    }
  });
});

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(packageDir, 'dist', 'advanced.js'));

// Built, the two entries share one VexError class (one chunk), in ESM and in CommonJS.
describe.skipIf(!built)('built entries share the error class', () => {
  it.each([
    [
      'ESM',
      ['--input-type=module', '-e'],
      "import { VexError } from '@flareo/vex'; import { computeResidual } from '@flareo/vex/advanced';",
    ],
    [
      'CommonJS',
      ['-e'],
      "const { VexError } = require('@flareo/vex'); const { computeResidual } = require('@flareo/vex/advanced');",
    ],
  ])('%s', (_name, flags, imports) => {
    const code = `${imports} try { computeResidual(null); } catch (e) { console.log(e instanceof VexError, e.code); }`;
    const out = execFileSync(process.execPath, [...flags, code], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('true ARGUMENT_INVALID');
  });
});

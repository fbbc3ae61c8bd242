import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, describe as suite } from 'vitest';
import { readInputs, runDemo } from './report.js';

const RSA_LIKE_GARBAGE = '-----BEGIN PUBLIC KEY-----\nMAMCAQU=\n-----END PUBLIC KEY-----\n';

suite('demo', () => {
  it('prints the embedded public-good root with its Rekor logs', () => {
    const { output, exitCode } = runDemo([]);
    expect(exitCode).toBe(0);
    expect(output).toContain('https://rekor.sigstore.dev');
    expect(output).toContain('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d');
  });

  it('reports a bad file by its error code and fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flareo-demo-'));
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, RSA_LIKE_GARBAGE);
    const { output, exitCode } = runDemo(readInputs([bad]));
    expect(exitCode).toBe(1);
    expect(output).toContain('rejected [KEY_INVALID]');
  });
});

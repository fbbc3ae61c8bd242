import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintSigstoreBundle,
  TestRekorV1,
  testKey,
} from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, type CliRun, flareo, run, Scratch } from './helpers.js';

// Everyday mistakes from issue 21: closed pipes, process substitution, endless inputs,
// standard input named twice, absurd concurrency, manifests that are not manifests.

const scratch = new Scratch();
afterAll(() => scratch.remove());

/** Run a shell command line (bash: process substitution, PIPESTATUS). */
function bash(script: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return run('bash', ['-c', script], { env: { FLAREO: `${process.execPath} ${CLI}`, ...env } });
}

/**
 * Run flareo with a standard output whose reader is gone before anything is written: every
 * write fails with EPIPE.
 */
function flareoClosedStdout(args: readonly string[]): Promise<CliRun> {
  const { FORCE_COLOR: _forced, ...inherited } = process.env;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...inherited, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) =>
      done({ code, stdout: '', stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** Run flareo with a standard input that never ends; resolves when flareo exits. */
function flareoEndlessStdin(args: readonly string[]): Promise<CliRun & { written: number }> {
  const { FORCE_COLOR: _forced, ...inherited } = process.env;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...inherited, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let written = 0;
    let open = true;
    const pump = () => {
      while (open && child.stdin.write(chunk)) written += chunk.length;
      if (open) written += chunk.length;
    };
    child.stdin.on('drain', pump);
    child.stdin.on('error', () => {
      open = false; // EPIPE once flareo stops reading: expected
    });
    pump();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => {
      open = false;
      done({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        written,
      });
    });
  });
}

const noTrace = (run: CliRun) => {
  expect(run.stderr).not.toMatch(/\n\s+at |Node\.js v|EPIPE|node:internal/);
};

// A real keyless bundle over a private CA and log, to verify through pipes and substitutions.
const artifact = new TextEncoder().encode('flareo robustness artifact\n');
const chain = createFulcioChain({ seed: 'cli-robust-ca' });
const rekor = new TestRekorV1({ seed: 'cli-robust-rekor' });
const trustedRoot = scratch.write('trusted_root.json', {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const artifactPath = scratch.write('artifact.txt', artifact);
const bundlePath = scratch.write(
  'artifact.sigstore.json',
  mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'message', artifact },
    signer: { certificate: chain.leaf() },
    rekor,
  }).json,
);
const trust = [
  '--trust-root',
  trustedRoot,
  '--certificate-identity',
  DEFAULT_WORKFLOW_URI,
  '--certificate-oidc-issuer',
  DEFAULT_OIDC_ISSUER,
];
const keyPath = scratch.write('cosign.pub', testKey('ecdsa-p256', 'cli-robust').publicKeyPem);
const line = JSON.stringify({ bundle: bundlePath, artifact: artifactPath });

describe('a closed standard output (`flareo … | head -1`)', () => {
  it('ends quietly with exit 0: --help, trust-root inspect, a verify-batch', async () => {
    const manifest = scratch.write('many.jsonl', `${Array(6).fill(line).join('\n')}\n`);
    const runs = await Promise.all([
      flareoClosedStdout(['--help']),
      flareoClosedStdout(['trust-root', 'inspect']),
      flareoClosedStdout(['trust-root', 'inspect', '--json']),
      flareoClosedStdout(['verify-batch', ...trust, '--no-progress', manifest]),
    ]);
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });

  it('keeps a failure already known: a failed verification still exits 1', async () => {
    const other = scratch.write('other.txt', 'another artifact\n');
    const run = await flareoClosedStdout([
      'verify',
      ...trust,
      '--json',
      '--bundle',
      bundlePath,
      other,
    ]);
    expect(run.code).toBe(1);
    noTrace(run);
  });

  it('through a real `| head -1`, with output larger than the pipe buffer', async () => {
    const vex = join(scratch.dir, 'big.openvex.json');
    const statements = Array.from({ length: 3000 }, (_, i) => ({
      vulnerability: { name: `CVE-2024-${10000 + i}` },
      products: [{ '@id': 'pkg:oci/demo' }],
      status: 'not_affected',
      justification: 'component_not_present',
    }));
    scratch.write('big.openvex.json', {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/big',
      author: 'Flareo tests',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements,
    });
    const runs = await Promise.all([
      bash(`$FLAREO vex merge "${vex}" | head -1; exit \${PIPESTATUS[0]}`),
      bash(`$FLAREO trust-root inspect --json | head -1; exit \${PIPESTATUS[0]}`),
      bash(`$FLAREO --help | head -1; exit \${PIPESTATUS[0]}`),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(runs.map((r) => r.stdout.split('\n').length)).toEqual([2, 2, 2]);
    expect(runs[0]?.stdout).toBe('{\n');
    for (const run of runs) noTrace(run);
  });
});

describe('bash process substitution: `verify-batch <(…)`', () => {
  it('a /dev/fd pipe as the manifest, the bundle or the artifact does not break module loading', async () => {
    const runs = await Promise.all([
      bash(`$FLAREO verify-batch ${trust.join(' ')} --no-progress <(printf '%s\\n' '${line}')`),
      bash(
        `$FLAREO verify ${trust.join(' ')} --bundle <(cat "${bundlePath}") <(cat "${artifactPath}")`,
      ),
      bash(`$FLAREO verify-batch ${trust.join(' ')} --no-progress /dev/stdin < <(echo '${line}')`),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    }
    expect(runs[0]?.stdout).toContain('1/1 verified');
    expect(runs[1]?.stdout).toContain('Verified OK');
  });
});

describe('inputs without end are cut at their limit (exit 2, INPUT_TOO_LARGE)', () => {
  it('/dev/zero as a bundle, a trust root, a VEX document, a report, a manifest line', async () => {
    const zeroLine = scratch.write(
      'zero.jsonl',
      `${JSON.stringify({ bundle: '/dev/zero', artifact: artifactPath })}\n`,
    );
    const vexDoc = scratch.write('v.json', {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'Flareo tests',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2024-0001' },
          products: [{ '@id': 'pkg:oci/demo' }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ],
    });
    const cases: [string[], string][] = [
      [
        ['verify', ...trust, '--bundle', '/dev/zero', artifactPath],
        'bundle /dev/zero is larger than the 16 MiB limit',
      ],
      [
        ['trust-root', 'inspect', '/dev/zero'],
        'trust root /dev/zero is larger than the 16 MiB limit',
      ],
      [['vex', 'validate', '/dev/zero'], 'VEX document /dev/zero is larger than the 64 MiB limit'],
      [
        ['vex', 'apply', '--vex', vexDoc, '/dev/zero'],
        'report /dev/zero is larger than the 256 MiB limit',
      ],
      [['score', '/dev/zero'], 'signals file /dev/zero is larger than the 16 MiB limit'],
      [
        ['verify', '--key', '/dev/zero', '--signature', artifactPath, artifactPath],
        'key /dev/zero is larger than the 1 MiB limit',
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => flareo(args)));
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('INPUT_TOO_LARGE');
      expect(run.stderr).toContain(cases[i]?.[1]);
      noTrace(run);
    }
    const batch = await flareo(['verify-batch', ...trust, '--json', zeroLine]);
    expect(batch.code).toBe(2);
    expect(JSON.parse(batch.stdout.split('\n')[0] as string)).toMatchObject({
      line: 1,
      outcome: 'invalid',
      error: { code: 'INPUT_TOO_LARGE', expected: 'at most 16777216 bytes' },
    });
  });

  it('standard input that never ends is not buffered whole: the bundle stops at 16 MiB', async () => {
    const run = await flareoEndlessStdin(['verify', ...trust, '--bundle', '-', artifactPath]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('bundle standard input is larger than the 16 MiB limit');
    // flareo stopped reading long before the writer gave up: at most the limit plus what
    // sat in the pipe and in our write buffers.
    expect(run.written).toBeLessThan(64 * 1024 * 1024);
    noTrace(run);
  });
});

describe('standard input named twice', () => {
  it('--bundle - with the artifact - is refused with exit 2', async () => {
    const [both, keyAndSig] = await Promise.all([
      flareo(['verify', ...trust, '--bundle', '-', '-'], { input: '{}' }),
      flareo(['verify', '--key', '-', '--signature', '-', artifactPath], { input: 'x' }),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      'standard input (-) is named twice: it was read as the bundle, and cannot also be the artifact',
    );
    expect(keyAndSig.code).toBe(2);
    expect(keyAndSig.stderr).toContain('read as the key, and cannot also be the signature');
  });
});

describe('verify-batch --concurrency', () => {
  it('is capped at the cores and the lines, with a note', async () => {
    const three = scratch.write('three.jsonl', `${[line, line, line].join('\n')}\n`);
    const [huge, exact] = await Promise.all([
      flareo(['verify-batch', ...trust, '--json', '--concurrency', '100000', three]),
      flareo(['verify-batch', ...trust, '--json', '--concurrency', '1', three]),
    ]);
    expect(huge.code, huge.stderr).toBe(0);
    const cap = Math.min(availableParallelism(), 3);
    expect(huge.stderr).toMatch(new RegExp(`^note: --concurrency 100000 capped to ${cap} \\(`));
    const summary = JSON.parse(huge.stdout.trim().split('\n').pop() as string);
    expect(summary).toMatchObject({ type: 'summary', verified: 3, concurrency: cap });
    expect(exact.stderr).toBe('');
  });

  it('verifies a short manifest on the main thread, a long one on a worker per core', async () => {
    const three = scratch.write('three-default.jsonl', `${[line, line, line].join('\n')}\n`);
    const long = scratch.write('long-default.jsonl', `${Array(100).fill(line).join('\n')}\n`);
    const [short, many, piped] = await Promise.all([
      flareoThreads(['verify-batch', ...trust, '--json', three]),
      flareoThreads(['verify-batch', ...trust, '--json', long]),
      // Standard input cannot be counted before the command starts: the entry has started a
      // worker, which verifies (the lines are counted once read, so one worker, not two).
      flareoThreads(['verify-batch', ...trust, '--json', '-'], {
        input: `${Array(3).fill(line).join('\n')}\n`,
      }),
    ]);
    const summaryOf = (r: CliRun) => JSON.parse(r.stdout.trim().split('\n').pop() as string);
    for (const r of [short, many, piped]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
    const cores = Math.min(2, availableParallelism());
    expect(summaryOf(short)).toMatchObject({ verified: 3, concurrency: 1 });
    expect(short.threads).toBe(1);
    expect(summaryOf(many)).toMatchObject({ verified: 100, concurrency: cores });
    expect(many.threads).toBe(1 + cores);
    expect(summaryOf(piped)).toMatchObject({ verified: 3, concurrency: 1 });
    expect(piped.threads).toBe(2);
  });

  it('prints the same on the main thread as on a worker, for every kind of line', async () => {
    const other = scratch.write('other-artifact.txt', 'not the signed artifact');
    const mixed = scratch.write(
      'mixed.jsonl',
      `${[
        line,
        JSON.stringify({ bundle: bundlePath, artifact: other }),
        JSON.stringify({ bundle: bundlePath, artifact: artifactPath, identity: 'x@example.com' }),
        JSON.stringify({ bundle: scratch.path('missing.sigstore.json'), artifact: artifactPath }),
        '{"bundle": 1}',
        'not json',
      ].join('\n')}\n`,
    );
    // Durations differ from run to run, and the text summary names the threads; nothing else
    // may differ.
    const timeless = (text: string) =>
      text
        .replace(/\((main thread|1 worker), \d+ ms\)/, '(N ms)')
        .replace(/"durationMs":\d+/, '"durationMs":0');
    for (const asJson of [false, true]) {
      const json = asJson ? ['--json'] : [];
      const [here, worker] = await Promise.all([
        flareoThreads(['verify-batch', ...trust, ...json, mixed]),
        flareoThreads(['verify-batch', ...trust, ...json, '--concurrency', '1', mixed]),
      ]);
      expect(here.threads).toBe(1);
      expect(worker.threads).toBe(2);
      expect(here.code).toBe(2);
      expect(worker.code).toBe(2);
      expect(here.stdout).toMatch(asJson ? /"outcome":"failed"/ : /✗ line 2 /);
      expect(timeless(here.stdout)).toBe(timeless(worker.stdout));
      if (!asJson) {
        expect(here.stdout).toMatch(/\(main thread, \d+ ms\)\n$/);
        expect(worker.stdout).toMatch(/\(1 worker, \d+ ms\)\n$/);
      }
      expect(here.stderr).toBe(worker.stderr);
    }
  });
});

/**
 * Run `flareo` as {@link flareo} does, under `node --cpu-prof`, which writes one profile per
 * thread that ran JavaScript: `threads` counts the main thread and the worker threads.
 */
async function flareoThreads(
  args: readonly string[],
  options: { input?: string } = {},
): Promise<CliRun & { threads: number }> {
  const dir = mkdtempSync(join(scratch.dir, 'prof-'));
  const r = await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, CLI, ...args], {
    input: options.input ?? '',
  });
  return { ...r, threads: readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).length };
}

describe('verify-batch never echoes a manifest line', () => {
  it('names the line and the reason only', async () => {
    const secret = 'hunter2-s3cr3t';
    const manifest = scratch.write(
      'passwd.jsonl',
      `${line}\nroot:${secret}:0:0:root:/root:/bin/bash\n{"bundle": {"${secret}": 1}, "artifact": "x"}\n[1]\n`,
    );
    const [human, asJson] = await Promise.all([
      flareo(['verify-batch', ...trust, '--no-progress', manifest]),
      flareo(['verify-batch', ...trust, '--json', manifest]),
    ]);
    expect(human.code).toBe(2);
    expect(human.stdout + human.stderr).not.toContain(secret);
    expect(asJson.stdout).not.toContain(secret);
    expect(human.stdout).toContain('line 2: not JSON (unexpected character at line 1 column 1)');
    expect(human.stdout).toContain('line 3: "bundle" must be a non-empty string');
    expect(human.stdout).toContain('line 4: not a JSON object');
  });
});

describe('unexpected errors', () => {
  it('a standard output that cannot be written (/dev/full) is one line and exit 2', async () => {
    const run = await bash('$FLAREO --help > /dev/full');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('flareo: cannot write to standard output: ENOSPC\n');
  });

  it('a failure no command expects is reported in short; the stack only with FLAREO_DEBUG', async () => {
    const vex = scratch.write('one.openvex.json', {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/one',
      author: 'Flareo tests',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2024-0001' },
          products: [{ '@id': 'pkg:oci/demo' }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ],
    });
    const args = ['vex', 'merge', '-o', scratch.path('no/such/dir/out.json'), vex];
    const [plain, debug] = await Promise.all([
      flareo(args),
      flareo(args, { env: { FLAREO_DEBUG: '1' } }),
    ]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('ENOENT');
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('a key that is usable keeps working (sanity check of the shared reader)', async () => {
    const run = await flareo(['trust-root', 'inspect', keyPath]);
    expect(run.code, run.stderr).toBe(0);
  });
});

describe('verify-batch streams its manifest', () => {
  it('20,000 lines from a pipe, mixed with blank lines and CRLF: every result once, in manifest order', async () => {
    // Lines that fail before verification (cheap), interleaved with verifiable ones: chunks
    // of both kinds come back from the workers at different speeds and must still be
    // printed in order.
    const rows: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i % 1000 === 0) rows.push(line);
      else if (i % 7 === 0) rows.push('');
      else rows.push(i % 2 ? '{"bundle": 1}\r' : 'not json');
    }
    const run = await flareo(['verify-batch', ...trust, '--json', '-'], {
      input: `${rows.join('\n')}\n`,
    });
    expect(run.code).toBe(2);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const summary = out.pop();
    const expected = rows.flatMap((r, i) => (r.trim() === '' ? [] : [i + 1]));
    expect(out.map((r) => r.line)).toEqual(expected);
    expect(out.filter((r) => r.outcome === 'verified')).toHaveLength(20);
    expect(summary).toMatchObject({ type: 'summary', total: expected.length, verified: 20 });
  });
});

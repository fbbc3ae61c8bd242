import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { createSeedKit, writeModuleDir } from '../src/seed.js';
import { extraSpec, NOW, SAMPLE_SLUGS, storedState, tempDir } from './support.js';

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env },
    out,
    err,
  };
}

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.remove());

describe('flareo-catalog commands', () => {
  it('seeds, ingests, refuses with the error code, and serves', async () => {
    const dataDir = join(tmp.dir, 'data');
    const seed = capture();
    expect(
      (await runCli(['seed', '--data-dir', dataDir, '--now', NOW.toISOString()], seed.io)).code,
    ).toBe(0);
    expect(JSON.parse(seed.out[0] as string)).toEqual({
      seeded: dataDir,
      modules: expect.arrayContaining(SAMPLE_SLUGS),
    });

    const again = capture();
    expect((await runCli(['seed', '--data-dir', dataDir], again.io)).code).toBe(2);
    expect(JSON.parse(again.err[0] as string).error.code).toBe('ARGUMENT_INVALID');

    const kit = createSeedKit({ now: NOW });
    const good = join(tmp.dir, 'good');
    const bad = join(tmp.dir, 'bad');
    await writeModuleDir(good, kit.mintModule(extraSpec({ slug: 'good' })));
    await writeModuleDir(
      bad,
      kit.mintModule(
        extraSpec({
          slug: 'bad',
          identity: 'https://github.com/evil/bad/.github/workflows/release.yml@refs/tags/v1',
        }),
      ),
    );
    const ingest = capture({ FLAREO_CATALOG_DATA_DIR: dataDir });
    expect((await runCli(['ingest', good, bad], ingest.io)).code).toBe(1);
    expect(JSON.parse(ingest.out[0] as string)).toMatchObject({
      ingested: 'good',
      verdict: 'pass',
    });
    expect(JSON.parse(ingest.out[1] as string)).toMatchObject({
      refused: bad,
      code: 'SIGNATURE_REJECTED',
      reason: 'IDENTITY_MISMATCH',
    });
    expect((await storedState(dataDir)).modules).toEqual([...SAMPLE_SLUGS, 'good'].sort());

    const serve = capture();
    const { code, serve: handle } = await runCli(
      ['serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'silent'],
      serve.io,
    );
    expect(code).toBe(0);
    try {
      expect(handle?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(serve.err.join('\n')).toContain(`listening on ${handle?.url}`);
      const health = await (await fetch(`${handle?.url}/healthz`)).json();
      expect(health).toEqual({ status: 'ok', modules: 6, quarantined: 0 });
    } finally {
      await handle?.stop();
    }
    await handle?.closed;
    await expect(fetch(`${handle?.url}/healthz`)).rejects.toThrow();
  });

  it.each([
    [['serve', '--port', 'eighty'], 2, 'ARGUMENT_INVALID'],
    [['serve', '--port', '70000'], 2, 'ARGUMENT_INVALID'],
    [['serve', '--log-level', 'loud'], 2, 'ARGUMENT_INVALID'],
    [['serve', 'extra'], 2, 'ARGUMENT_INVALID'],
    [['seed', '--now', 'yesterday'], 2, 'ARGUMENT_INVALID'],
    [['seed', '--now', '2023-02-29T00:00:00Z'], 2, 'ARGUMENT_INVALID'],
    [['ingest'], 2, 'ARGUMENT_INVALID'],
    [['ingest', '/nonexistent'], 1, 'CONFIG_INVALID'],
    [['serve', '--port', '0'], 1, 'CONFIG_INVALID'],
  ])('%j exits %i with %s', async (args, exit, code) => {
    const c = capture({ FLAREO_CATALOG_DATA_DIR: join(tmp.dir, 'empty') });
    expect((await runCli(args, c.io)).code).toBe(exit);
    expect(JSON.parse(c.err.at(-1) as string).error.code).toBe(code);
  });

  it.each(['59', 'daily', '-5', '31536001', '1.5'])(
    'refuses FLAREO_CATALOG_REVERIFY_INTERVAL=%s with ARGUMENT_INVALID (exit 2)',
    async (value) => {
      const c = capture({
        FLAREO_CATALOG_DATA_DIR: join(tmp.dir, 'unused'),
        FLAREO_CATALOG_REVERIFY_INTERVAL: value,
      });
      expect((await runCli(['recheck'], c.io)).code).toBe(2);
      expect(JSON.parse(c.err[0] as string).error).toMatchObject({
        code: 'ARGUMENT_INVALID',
        detail: { actual: value },
      });
    },
  );

  it.each([[['frobnicate']], [['serve', '--bogus']], [[]]])(
    '%j prints the usage and exits 2',
    async (args) => {
      const c = capture();
      expect((await runCli(args, c.io)).code).toBe(2);
      expect([...c.err, ...c.out].join('\n')).toContain('Usage: flareo-catalog');
    },
  );

  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  it.skipIf(!existsSync(main))(
    'the built command seeds an empty data directory, prints the URL, logs JSON, and stops on SIGTERM',
    async () => {
      const dataDir = join(tmp.dir, 'quickstart');
      const child = spawn(process.execPath, [main, 'serve', '--seed', '--port', '0'], {
        env: { ...process.env, FLAREO_CATALOG_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /listening on (http:\/\/\S+)/.exec(stderr);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      expect(stderr).toContain(`Seeded the sample catalog (5 modules) into ${dataDir}`);
      const list = (await (await fetch(`${url}/api/v1/modules`)).json()) as { modules: unknown[] };
      expect(list.modules).toHaveLength(5);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      const logs = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(logs.some((l) => l.msg === 'request completed' && l.res?.statusCode === 200)).toBe(
        true,
      );
      expect(logs.every((l) => typeof l.level === 'number' && typeof l.time === 'number')).toBe(
        true,
      );
    },
  );
});

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSeedKit, writeModuleDir } from '../src/seed.js';
import { CatalogStore } from '../src/store.js';
import {
  extraSpec,
  NOW,
  now,
  SAMPLE_SLUGS,
  seededDataDir,
  storedState,
  tempDir,
} from './support.js';

// Several real processes on one data directory: ingests beside processes that start
// (`serve`, `recheck`), and ingests killed with SIGKILL at random moments. Whatever runs
// beside an ingest, a module must end up stored whole (it verifies at the next start) or
// not at all, and nothing may be quarantined.

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const built = existsSync(main);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit };
}

/** Starts `recheck` and `serve` on `dataDir`, one after the other, until `stop()`. */
function starters(dataDir: string, deadline: number) {
  let stopped = false;
  const problems: string[] = [];
  let starts = 0;
  const env = { FLAREO_CATALOG_DATA_DIR: dataDir };
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      // recheck of an unknown slug opens the store (clean-up, re-verification) without the network.
      const recheck = await start(['recheck', 'no-such-module'], env).exit;
      starts++;
      if (recheck.code !== 1 || !recheck.stdout.includes('MODULE_NOT_FOUND') || recheck.stderr) {
        problems.push(`recheck: ${recheck.code} ${recheck.stdout} ${recheck.stderr}`);
      }
      if (stopped) break;
      const serve = start(['serve', '--port', '0', '--log-level', 'silent'], env);
      let err = '';
      const listening = await new Promise<boolean>((resolve) => {
        serve.child.stderr?.on('data', (d) => {
          err += d;
          if (err.includes('listening on')) resolve(true);
        });
        serve.child.on('exit', () => resolve(false));
      });
      starts++;
      serve.child.kill('SIGTERM');
      const exit = await serve.exit;
      if (
        !listening ||
        exit.code !== 0 ||
        err.includes('quarantin') ||
        err.includes('no longer verifies')
      ) {
        problems.push(`serve: ${exit.code} ${err}`);
      }
    }
  })();
  return {
    problems,
    starts: () => starts,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

let tmp: { dir: string; remove: () => Promise<void> };
let work: { dir: string; remove: () => Promise<void> };
const kit = createSeedKit({ now: NOW });

beforeAll(async () => {
  tmp = await seededDataDir();
  work = await tempDir('flareo-catalog-mp-');
});
afterAll(async () => {
  await tmp?.remove();
  await work?.remove();
});

async function moduleDirs(prefix: string, count: number): Promise<{ slug: string; dir: string }[]> {
  const out: { slug: string; dir: string }[] = [];
  for (let i = 0; i < count; i++) {
    const slug = `${prefix}${i}`;
    const dir = join(work.dir, slug);
    await writeModuleDir(dir, kit.mintModule(extraSpec({ slug, name: slug })));
    out.push({ slug, dir });
  }
  return out;
}

/** Open the store as a fresh start would; returns it with what it quarantined. */
async function reopen(dataDir: string) {
  const quarantined: string[] = [];
  const store = await CatalogStore.open(dataDir, {
    now,
    onQuarantine: (slug, e) => quarantined.push(`${slug}: ${e.code} ${e.message}`),
  });
  return { store, quarantined };
}

describe.skipIf(!built)('ingest beside other processes on the same data directory', () => {
  it('stores every module whole while serve and recheck start over and over beside it', {
    timeout: 150_000,
  }, async () => {
    // One ingest process of many modules while two other loops keep starting serve and
    // recheck on the same directory (each start-up cleans the staging area).
    const deadline = Date.now() + 120_000;
    const modules = await moduleDirs('side', 24);
    const sides = [starters(tmp.dir, deadline), starters(tmp.dir, deadline)];
    await new Promise((r) => setTimeout(r, 500));
    const ingest = await start(['ingest', ...modules.map((m) => m.dir)], {
      FLAREO_CATALOG_DATA_DIR: tmp.dir,
    }).exit;
    const lines = ingest.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const failures = lines.filter((l) => !l.ingested);
    for (const side of sides) await side.stop();
    expect(failures).toEqual([]);
    expect(lines.map((l) => l.ingested)).toEqual(modules.map((m) => m.slug));
    expect(ingest.code).toBe(0);
    expect(sides.flatMap((s) => s.problems)).toEqual([]);
    expect(sides[0]?.starts()).toBeGreaterThan(0);

    const { store, quarantined } = await reopen(tmp.dir);
    expect(quarantined).toEqual([]);
    for (const m of modules) expect(store.get(m.slug).module.slug).toBe(m.slug);
    expect(await storedState(tmp.dir)).toEqual({
      modules: [...SAMPLE_SLUGS, ...modules.map((m) => m.slug)].sort(),
      staging: [],
    });
    console.info(
      `${modules.length} modules ingested beside ${sides.map((s) => s.starts()).join(' + ')} start-ups`,
    );
  });

  it('leaves a SIGKILLed ingest whole or absent, never quarantined, and a retry stores it', {
    timeout: 200_000,
  }, async () => {
    // A data directory of its own, so that start-ups stay quick.
    const data = await seededDataDir();
    onTestFinished(() => data.remove());
    const env = { FLAREO_CATALOG_DATA_DIR: data.dir };
    const rounds = 10;
    const modules = await moduleDirs('killed', rounds);
    const deadline = Date.now() + 150_000;
    const side = starters(data.dir, deadline);
    // How long an ingest lives here (under this load); kills land over its second half,
    // where it verifies, stages, renames and exits (the first half is Node starting up).
    const calibration = await moduleDirs('calibration', 1);
    const began = Date.now();
    const first = await start(['ingest', calibration[0]?.dir as string], env).exit;
    let lifeMs = Date.now() - began;
    expect(first.code, first.stderr).toBe(0);
    const kills: { slug: string; afterMs: number; signal: string | null; code: number | null }[] =
      [];
    for (const m of modules) {
      const run = start(['ingest', m.dir], env);
      const afterMs = Math.round(lifeMs * (0.4 + Math.random() * 0.8));
      const startedAt = Date.now();
      const timer = setTimeout(() => run.child.kill('SIGKILL'), afterMs);
      const exit = await run.exit;
      clearTimeout(timer);
      // Follow the load: an ingest that finished tells how long one lives now; a killed one
      // stretches the estimate, so that kills keep reaching the end of an ingest too.
      lifeMs = exit.signal === null ? Date.now() - startedAt : Math.round(lifeMs * 1.1);
      kills.push({ slug: m.slug, afterMs, signal: exit.signal, code: exit.code });
      if (exit.signal === null) {
        // Not killed in time: it must have stored the module.
        expect(exit.code, JSON.stringify({ afterMs, ...exit })).toBe(0);
      }
    }
    await side.stop();
    expect(side.problems).toEqual([]);
    expect(
      kills.some((k) => k.signal === 'SIGKILL'),
      JSON.stringify(kills),
    ).toBe(true);

    // Each module is either stored and verifies, or absent; nothing is quarantined.
    let { store, quarantined } = await reopen(data.dir);
    expect(quarantined).toEqual([]);
    const stored = new Set((await storedState(data.dir)).modules);
    const absent = modules.filter((m) => !stored.has(m.slug));
    for (const m of modules) {
      if (stored.has(m.slug)) expect(store.get(m.slug).module.slug).toBe(m.slug);
    }

    await store.close();
    // A retry of every absent one succeeds.
    for (const m of absent) {
      const retry = await start(['ingest', m.dir], env).exit;
      expect(retry.code, `${m.slug}: ${retry.stdout} ${retry.stderr}`).toBe(0);
      expect(JSON.parse(retry.stdout.trim())).toMatchObject({ ingested: m.slug });
    }
    ({ store, quarantined } = await reopen(data.dir));
    expect(quarantined).toEqual([]);
    for (const m of modules) expect(store.get(m.slug).module.slug).toBe(m.slug);
    await store.close();
    // The temporary blobs of the killed ingests are gone after a start-up.
    expect((await storedState(data.dir)).staging).toEqual([]);
    console.info(
      `SIGKILL rounds: ${JSON.stringify(kills.map((k) => [k.afterMs, k.signal ?? k.code]))}; ingest life ${lifeMs} ms; ${absent.length} absent and retried; ${side.starts()} start-ups beside`,
    );
  });
});

describe('the temporary blob clean-up at start', () => {
  it('removes leftovers of dead processes and keeps those of live ones', async () => {
    const data = await seededDataDir();
    try {
      const staging = join(data.dir, 'blobs', 'tmp');
      // A live process that is not this one: a child that sleeps.
      const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
        stdio: 'ignore',
      });
      try {
        const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
        await new Promise((r) => dead.on('exit', r));
        const hex = 'a'.repeat(64);
        const live = `${hex}.${hostname()}.${sleeper.pid}.0123456789ab`;
        const gone = `${hex}.${hostname()}.${dead.pid}.0123456789ab`;
        const old = 'legacy.0123456789ab';
        for (const name of [live, gone, old]) await writeFile(join(staging, name), 'partial');
        const { store, quarantined } = await reopen(data.dir);
        await store.close();
        expect(quarantined).toEqual([]);
        expect((await storedState(data.dir)).staging).toEqual([live]);
      } finally {
        sleeper.kill('SIGKILL');
      }
    } finally {
      await data.remove();
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { SAMPLE_MODULES } from '../src/seed.js';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import {
  edit,
  extraSpec,
  ingestFixture,
  type Json,
  now,
  rejects,
  SAMPLE_SLUGS,
  storedState,
} from './support.js';

// The seed's VEX rules beyond OpenVEX: every not_affected statement carries a public impact
// statement (else ingest refuses, naming the statement); an affected statement without an
// action statement is accepted with a warning in the ingest report.

const fx = ingestFixture('flareo-catalog-vex-rules-');

const nextcloud = SAMPLE_MODULES.find((m) => m.slug === 'nextcloud');

describe('not_affected needs an impact statement', () => {
  it('refuses a not_affected statement with a justification but no impact_statement, naming it', async () => {
    // grafana's second document: statement 1 is CVE-2024-2961 not_affected.
    const files = edit(fx.kit.mintModule(extraSpec()), 'vex/02.openvex.json', (v) => {
      v.statements[1]['@id'] = 'https://vex.example/statements/glibc-iconv';
      delete v.statements[1].impact_statement;
      expect(v.statements[1].justification).toBe('vulnerable_code_not_in_execute_path');
    });
    const error = await rejects(
      async () => fx.store.ingest(await fx.moduleDir(files)),
      'VEX_INVALID',
    );
    expect(error.detail).toMatchObject({
      slug: 'extra',
      file: 'vex/02.openvex.json',
      reason: 'IMPACT_STATEMENT_MISSING',
      actual: {
        path: '/statements/1',
        vulnerability: 'CVE-2024-2961',
        statement: 'https://vex.example/statements/glibc-iconv',
        justification: 'vulnerable_code_not_in_execute_path',
      },
    });
    expect(error.message).toContain('vex/02.openvex.json/statements/1 (CVE-2024-2961');
    expect(await storedState(fx.data.dir)).toEqual({ modules: SAMPLE_SLUGS, staging: [] });
  });

  it('refuses a blank impact_statement too', async () => {
    const files = edit(fx.kit.mintModule(extraSpec()), 'vex/01.openvex.json', (v) => {
      v.statements[0].impact_statement = '   ';
    });
    const error = await rejects(
      async () => fx.store.ingest(await fx.moduleDir(files)),
      'VEX_INVALID',
    );
    expect(error.detail.reason).toBe('IMPACT_STATEMENT_MISSING');
    expect((error.detail.actual as Json).path).toBe('/statements/0');
  });

  it('still refuses other strict OpenVEX errors next to a missing action statement', async () => {
    const files = edit(
      fx.kit.mintModule({ ...(nextcloud as (typeof SAMPLE_MODULES)[number]), slug: 'extra' }),
      'vex/01.openvex.json',
      (v) => {
        delete v.statements[0].action_statement;
        v.statements[0].status = 'not_a_status';
      },
    );
    const error = await rejects(
      async () => fx.store.ingest(await fx.moduleDir(files)),
      'VEX_INVALID',
    );
    expect(error.detail.reason).toBe('DOCUMENT_INVALID');
  });
});

describe('affected without an action statement is a warning', () => {
  let running: RunningCatalog | undefined;
  afterAll(async () => running?.close());

  it('ingests it, reports the warning, serves it and keeps it across a restart', async () => {
    const spec = { ...(nextcloud as (typeof SAMPLE_MODULES)[number]), slug: 'warned' };
    const files = edit(fx.kit.mintModule(spec), 'vex/01.openvex.json', (v) => {
      expect(v.statements[0].status).toBe('affected');
      delete v.statements[0].action_statement;
    });
    fx.kit.signParts(spec, files); // the catalog requires signed parts: sign the edited VEX
    const entry = await fx.store.ingest(await fx.moduleDir(files));
    const expected = [
      {
        code: 'AFFECTED_WITHOUT_ACTION',
        file: 'vex/01.openvex.json',
        path: '/statements/0',
        vulnerability: 'CVE-2023-38545',
        message: expect.stringContaining('no action_statement'),
      },
    ];
    expect(entry.module.warnings).toEqual(expected);
    // The verdict still counts the affected critical CVE.
    expect(fx.store.assessment('warned').decision.result.verdict).toBe('fail');

    const reopened = await CatalogStore.open(fx.data.dir, { now });
    expect(reopened.get('warned').module.warnings).toEqual(expected);
    running = await startCatalogServer({ store: reopened, port: 0, logger: false });
    const detail = (await (await fetch(`${running.url}/api/v1/modules/warned`)).json()) as Json;
    expect(detail.warnings).toEqual(expected);
    const clean = (await (await fetch(`${running.url}/api/v1/modules/nextcloud`)).json()) as Json;
    expect(clean.warnings).toEqual([]);
  });

  it('the ingest command prints the warning in its report line', async () => {
    const spec = { ...(nextcloud as (typeof SAMPLE_MODULES)[number]), slug: 'warned-cli' };
    const files = edit(fx.kit.mintModule(spec), 'vex/01.openvex.json', (v) => {
      delete v.statements[0].action_statement;
    });
    fx.kit.signParts(spec, files);
    const dir = await fx.moduleDir(files);
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => {}, env: {} };
    expect((await runCli(['ingest', '--data-dir', fx.data.dir, dir], io)).code).toBe(0);
    const line = JSON.parse(out[0] as string);
    expect(line.ingested).toBe('warned-cli');
    expect(line.warnings).toEqual([
      expect.objectContaining({ code: 'AFFECTED_WITHOUT_ACTION', path: '/statements/0' }),
    ]);
  });
});

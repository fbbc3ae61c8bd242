import { readFileSync } from 'node:fs';
import { VexBuilder } from '@flareo/vex';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const image = `index.docker.io/acme/app@sha256:${'a'.repeat(64)}`;
const vexDoc = new VexBuilder({
  id: 'https://catalog.example/vex/app',
  author: 'Catalog review',
  timestamp: '2025-01-01T00:00:00Z',
})
  .notAffected({
    vulnerability: 'CVE-2024-0001',
    products: ['pkg:deb/debian/openssl?distro=debian-12'],
    justification: 'vulnerable_code_not_in_execute_path',
  })
  .notAffected({
    vulnerability: 'CVE-2024-0002',
    products: ['pkg:oci/app?repository_url=docker.io/acme'],
    subcomponents: ['pkg:deb/debian/zlib'],
    impactStatement: 'zlib is only used to read trusted archives',
  })
  .build();
const vexPath = scratch.write('app.openvex.json', vexDoc);

const trivy = scratch.write('trivy.json', {
  SchemaVersion: 2,
  ArtifactName: 'acme/app',
  ArtifactType: 'container_image',
  Metadata: { RepoDigests: [image] },
  Results: [
    {
      Target: 'app (debian 12.13)',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2024-0001',
          PkgName: 'openssl',
          PkgIdentifier: { PURL: 'pkg:deb/debian/openssl@3.0.15?distro=debian-12.13' },
          Severity: 'HIGH',
        },
        {
          VulnerabilityID: 'CVE-2024-0002',
          PkgName: 'zlib',
          PkgIdentifier: { PURL: 'pkg:deb/debian/zlib@1.2.13?distro=debian-12.13' },
          Severity: 'CRITICAL',
        },
      ],
    },
  ],
});

const grype = scratch.write('grype.json', {
  matches: [
    {
      vulnerability: { id: 'CVE-2024-0001', severity: 'High' },
      artifact: {
        name: 'openssl',
        version: '3.0.15',
        purl: 'pkg:deb/debian/openssl@3.0.15?distro=debian-12',
      },
    },
    {
      vulnerability: { id: 'CVE-2024-9999', severity: 'Medium' },
      artifact: { name: 'curl', version: '8.0', purl: 'pkg:deb/debian/curl@8.0?distro=debian-12' },
    },
  ],
  source: { type: 'image', target: { userInput: 'acme/app', repoDigests: [image] } },
  descriptor: { name: 'grype' },
});

const sarif = scratch.write('scan.sarif', {
  version: '2.1.0',
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  runs: [
    {
      tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2024-0003' }] } },
      results: [{ ruleId: 'CVE-2024-0003', level: 'error', message: { text: 'x' } }],
      properties: { imageName: 'acme/app', repoDigests: [image] },
    },
  ],
});
const imageVex = scratch.write(
  'image.openvex.json',
  new VexBuilder({
    id: 'https://catalog.example/vex/image',
    author: 'Catalog review',
    timestamp: '2025-01-01T00:00:00Z',
  })
    .notAffected({
      vulnerability: 'CVE-2024-0003',
      products: [`pkg:oci/app@sha256%3A${'a'.repeat(64)}?repository_url=index.docker.io/acme/app`],
      justification: 'component_not_present',
    })
    .build(),
);

// Trivy's own test document: valid only in lenient mode.
const lenientOnly = scratch.write('lenient.json', {
  '@context': 'https://openvex.dev/ns',
  author: 'Aqua Security',
  timestamp: '2023-01-16T19:07:16.853479631-06:00',
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2021-44228' },
      products: [{ '@id': 'pkg:maven/org.springframework.boot/spring-boot@2.6.0' }],
      status: 'affected',
    },
  ],
});

describe('flareo vex apply', () => {
  it('writes each report back in its own format, with suppressions the scanner’s way', async () => {
    const [t, g, s] = await Promise.all([
      flareo(['vex', 'apply', '--vex', vexPath, trivy]),
      flareo(['vex', 'apply', '--vex', vexPath, '--vex', imageVex, grype]),
      flareo(['vex', 'apply', '--vex', imageVex, sarif]),
    ]);
    expect(t.code, t.stderr).toBe(0);
    const tr = json(t) as {
      Results: {
        Vulnerabilities: unknown[];
        ExperimentalModifiedFindings: { Finding: { VulnerabilityID: string } }[];
      }[];
    };
    expect(tr.Results[0]?.Vulnerabilities).toHaveLength(1);
    expect(
      tr.Results[0]?.ExperimentalModifiedFindings.map((f) => f.Finding.VulnerabilityID),
    ).toEqual(['CVE-2024-0002']);
    expect(t.stderr).toContain('trivy: 1 of 2 finding(s) suppressed by VEX, 1 open');

    expect(g.code, g.stderr).toBe(0);
    const gr = json(g) as {
      matches: { vulnerability: { id: string } }[];
      ignoredMatches: { vulnerability: { id: string } }[];
    };
    expect(gr.matches.map((m) => m.vulnerability.id)).toEqual(['CVE-2024-9999']);
    expect(gr.ignoredMatches.map((m) => m.vulnerability.id)).toEqual(['CVE-2024-0001']);

    expect(s.code, s.stderr).toBe(0);
    const sr = json(s) as { runs: { results: { suppressions?: { kind: string }[] }[] }[] };
    expect(sr.runs[0]?.results[0]?.suppressions?.[0]?.kind).toBe('external');
    expect(s.stderr).toContain('warning:'); // SARIF's image-level limitation is stated
  });

  it('--summary, --json, --explain and --output', async () => {
    const out = scratch.path('trivy.vex.json');
    const [summary, asJson, explained, toFile] = await Promise.all([
      flareo(['vex', 'apply', '--vex', vexPath, '--summary', trivy]),
      flareo(['vex', 'apply', '--vex', vexPath, '--json', '--explain', trivy]),
      flareo(['vex', 'apply', '--vex', vexPath, '--summary', '--explain', trivy]),
      flareo(['vex', 'apply', '--vex', vexPath, '--output', out, trivy]),
    ]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('residual: 1 open, 1 suppressed by VEX');
    expect(summary.stdout).toMatch(/high\s+1\s+0\s+0\s+1\s+0/);
    expect(summary.stdout).toMatch(/critical\s+0\s+0\s+0\s+0\s+1/);
    const j = json(asJson) as {
      format: string;
      residual: { pairs: { open: number; suppressed: number } };
      findings: {
        vulnerability: string;
        disposition: string;
        nearMisses: { field: string; message: string }[];
      }[];
    };
    expect(j.format).toBe('trivy');
    expect(j.residual.pairs).toMatchObject({ open: 1, suppressed: 1 });
    expect(j.findings.map((f) => [f.vulnerability, f.disposition])).toEqual([
      ['CVE-2024-0001', 'unaddressed'],
      ['CVE-2024-0002', 'suppressed'],
    ]);
    expect(j.findings[0]?.nearMisses[0]?.field).toBe('qualifier');
    expect(explained.stdout).toContain(
      'near miss product pkg:deb/debian/openssl?distro=debian-12 differs',
    );
    expect(explained.stdout).toContain('zlib is only used to read trusted archives');
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr).toContain(`report written to ${out}`);
  });

  it('a report far larger than the pipe arrives whole when the reader is slow (the process ends only once it is written)', async () => {
    // Some 3,000 findings: the report printed is about 700 KB, ten times a pipe's buffer, so
    // most of it is still being written when the command is done with it.
    const vulnerabilities = Array.from({ length: 3000 }, (_, i) => ({
      VulnerabilityID: i % 2 === 0 ? 'CVE-2024-0001' : `CVE-2024-${String(1000 + i)}`,
      PkgName: 'openssl',
      PkgIdentifier: { PURL: 'pkg:deb/debian/openssl@3.0.15?distro=debian-12' },
      InstalledVersion: '3.0.15',
      Severity: 'HIGH',
      Title: `finding ${i}`,
    }));
    const big = scratch.write('trivy-big.json', {
      SchemaVersion: 2,
      ArtifactName: 'acme/app',
      ArtifactType: 'container_image',
      Metadata: { RepoDigests: [image] },
      Results: [{ Target: 'app (debian 12)', Vulnerabilities: vulnerabilities }],
    });
    const file = scratch.path('trivy-big.vex.json');
    const toFile = await flareo(['vex', 'apply', '--vex', vexPath, '--output', file, big]);
    expect(toFile.code, toFile.stderr).toBe(0);
    const expected = readFileSync(file);
    expect(expected.length).toBeGreaterThan(500_000);

    // Read nothing for a while: the command has its whole report queued by then.
    const piped = await flareo(['vex', 'apply', '--vex', vexPath, big], { readStdoutAfterMs: 600 });
    expect(piped.code, piped.stderr).toBe(0);
    expect(Buffer.from(piped.stdout).equals(expected)).toBe(true);
    expect(piped.stderr).toContain('1500 of 3000 finding(s) suppressed by VEX');
  });

  it('--product and --format; bad input exits 2', async () => {
    const [product, forced, unknownFormat, badVex, notJson, missingVex] = await Promise.all([
      flareo([
        'vex',
        'apply',
        '--vex',
        vexPath,
        '--product',
        'pkg:deb/debian/openssl',
        '--json',
        trivy,
      ]),
      flareo(['vex', 'apply', '--vex', vexPath, '--format', 'grype', '--summary', grype]),
      flareo(['vex', 'apply', '--vex', vexPath, scratch.write('what.json', { hello: 1 })]),
      flareo(['vex', 'apply', '--vex', scratch.write('bad.json', { statements: 3 }), trivy]),
      flareo(['vex', 'apply', '--vex', vexPath, scratch.write('broken.json', '{"Results": [')]),
      flareo(['vex', 'apply', trivy]),
    ]);
    expect(product.code).toBe(0);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('grype report');
    expect(unknownFormat.code).toBe(2);
    expect(unknownFormat.stderr).toContain('--format');
    expect(badVex.code).toBe(2);
    expect(badVex.stderr).toContain('DOCUMENT_INVALID');
    expect(badVex.stderr).toContain('flareo vex validate');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('JSON_INVALID');
    expect(missingVex.code).toBe(2);
    expect(missingVex.stderr).toContain("required option '--vex <file>' not specified");
  });
});

describe('flareo vex validate and merge', () => {
  it('validate: lenient by default, --strict fails, --json shape, unreadable exits 2', async () => {
    const [lenient, strict, asJson, missing] = await Promise.all([
      flareo(['vex', 'validate', lenientOnly, vexPath]),
      flareo(['vex', 'validate', '--strict', lenientOnly]),
      flareo(['vex', 'validate', '--strict', '--json', lenientOnly, vexPath]),
      flareo(['vex', 'validate', scratch.path('nope.json')]),
    ]);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toContain(`✓ ${lenientOnly}: valid (lenient, 3 warnings)`);
    expect(lenient.stdout).toContain('warning CONTEXT_UNVERSIONED /@context');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('error   DOCUMENT_ID_MISSING /');
    const j = json(asJson) as {
      valid: boolean;
      mode: string;
      files: { file: string; valid: boolean; errors: { code: string }[] }[];
    };
    expect(j.valid).toBe(false);
    expect(j.mode).toBe('strict');
    expect(j.files.map((f) => f.valid)).toEqual([false, true]);
    expect(j.files[0]?.errors.map((e) => e.code)).toContain('AFFECTED_WITHOUT_ACTION');
    expect(missing.code).toBe(2);
  });

  it('a VEX file that is not JSON exits 2 for validate and apply, naming the file, never its content', async () => {
    const secret = 'root:x:0:0:hunter2-secret:/root:/bin/bash';
    const notJson = scratch.write('passwd.json', `${secret}\n`);
    const empty = scratch.write('empty.json', '');
    const [validate, apply, emptyValidate] = await Promise.all([
      flareo(['vex', 'validate', notJson]),
      flareo(['vex', 'apply', '--vex', notJson, '--summary', trivy]),
      flareo(['vex', 'validate', empty]),
    ]);
    for (const r of [validate, apply, emptyValidate]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout + r.stderr).not.toContain('hunter2');
    }
    expect(validate.stdout + validate.stderr).toContain(notJson);
    expect(apply.stderr).toContain(notJson);
  });

  it('merge: newer versions supersede, output is deterministic', async () => {
    const base = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://vendor.example/vex/app',
      author: 'Vendor',
    };
    const statement = (status: string) => ({
      vulnerability: { name: 'CVE-2024-2222' },
      products: [{ '@id': 'pkg:npm/left-pad' }],
      status,
      ...(status === 'affected'
        ? { action_statement: 'upgrade' }
        : { justification: 'component_not_present' }),
    });
    const v1 = scratch.write('v1.json', {
      ...base,
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [statement('affected')],
    });
    const v2 = scratch.write('v2.json', {
      ...base,
      timestamp: '2024-02-01T00:00:00Z',
      version: 2,
      statements: [statement('not_affected')],
    });
    const [merged, again, asJson] = await Promise.all([
      flareo(['vex', 'merge', '--id', 'https://catalog.example/vex/left-pad', v1, v2]),
      flareo(['vex', 'merge', '--id', 'https://catalog.example/vex/left-pad', v1, v2]),
      flareo(['vex', 'merge', '--json', v1, v2]),
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    const doc = json(merged) as {
      '@id': string;
      statements: { status: string }[];
      timestamp: string;
    };
    expect(doc['@id']).toBe('https://catalog.example/vex/left-pad');
    expect(doc.statements.map((s) => s.status)).toEqual(['not_affected']);
    expect(doc.timestamp).toBe('2024-02-01T00:00:00Z');
    expect(again.stdout).toBe(merged.stdout);
    expect(merged.stderr).toContain(`dropped ${v1}: superseded by ${v2}`);
    const j = json(asJson) as {
      document: { '@id': string };
      dropped: { file: string; reason: string }[];
    };
    expect(j.document['@id']).toMatch(/^urn:flareo:vex:sha256:/);
    expect(j.dropped).toEqual([expect.objectContaining({ file: v1, reason: 'superseded' })]);
  });
});

describe('flareo vex: mutable tags and same-version conflicts', () => {
  const tagVex = scratch.write(
    'tag.openvex.json',
    new VexBuilder({
      id: 'https://catalog.example/vex/tagged',
      author: 'Catalog review',
      timestamp: '2025-01-01T00:00:00Z',
    })
      .notAffected({
        vulnerability: 'CVE-2024-0003',
        products: ['pkg:oci/app?repository_url=ghcr.io/acme/app&tag=1.0'],
        justification: 'component_not_present',
      })
      .build(),
  );

  // The same scan, of the image as pulled by its tag.
  const taggedSarif = scratch.write('tagged.sarif', {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2024-0003' }] } },
        results: [{ ruleId: 'CVE-2024-0003', level: 'error', message: { text: 'x' } }],
        properties: {
          imageName: 'ghcr.io/acme/app:1.0',
          repoTags: ['ghcr.io/acme/app:1.0'],
          repoDigests: [`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`],
        },
      },
    ],
  });

  it('apply: a tag-only image statement does not suppress, warns, and --match-oci-tags opts in', async () => {
    const [plain, asJson, optedIn] = await Promise.all([
      flareo(['vex', 'apply', '--vex', tagVex, '--summary', taggedSarif]),
      flareo(['vex', 'apply', '--vex', tagVex, '--json', taggedSarif]),
      flareo(['vex', 'apply', '--vex', tagVex, '--match-oci-tags', '--json', taggedSarif]),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('only by the tag');
    const j = json(asJson) as {
      warnings: { code: string; product: string }[];
      residual: { findings: { open: number; suppressed: number } };
    };
    expect(j.warnings).toEqual([
      expect.objectContaining({
        code: 'OCI_TAG_ONLY',
        product: expect.stringContaining('tag=1.0'),
      }),
    ]);
    expect(j.residual.findings).toMatchObject({ open: 1, suppressed: 0 });
    const o = json(optedIn) as {
      warnings: unknown[];
      residual: { findings: { open: number; suppressed: number } };
    };
    expect(optedIn.code, optedIn.stderr).toBe(0);
    expect(o.warnings).toEqual([]);
    expect(o.residual.findings).toMatchObject({ open: 0, suppressed: 1 });
  });

  it('merge: two editions with one @id, version and time but different content are both kept and reported', async () => {
    const edition = (status: 'affected' | 'not_affected', name: string) =>
      scratch.write(name, {
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://vendor.example/vex/same',
        author: 'Vendor',
        timestamp: '2024-03-01T00:00:00Z',
        version: 3,
        statements: [
          {
            vulnerability: { name: `CVE-2024-${status === 'affected' ? '3001' : '3002'}` },
            products: [{ '@id': 'pkg:npm/left-pad' }],
            status,
            ...(status === 'affected'
              ? { action_statement: 'upgrade' }
              : { justification: 'component_not_present' }),
          },
        ],
      });
    const a = edition('affected', 'same-a.json');
    const b = edition('not_affected', 'same-b.json');
    const [ab, ba] = await Promise.all([
      flareo(['vex', 'merge', '--json', a, b]),
      flareo(['vex', 'merge', '--json', b, a]),
    ]);
    expect(ab.code, ab.stderr).toBe(0);
    expect(ab.stderr).toContain('with different content: all were kept');
    const x = json(ab) as {
      document: { statements: unknown[] };
      conflicts: { documentId: string; files: string[] }[];
    };
    const y = json(ba) as typeof x;
    expect(x.document.statements).toHaveLength(2);
    expect(x.conflicts).toEqual([
      expect.objectContaining({ documentId: 'https://vendor.example/vex/same', files: [a, b] }),
    ]);
    expect(JSON.stringify(y.document)).toBe(JSON.stringify(x.document));
  });
});

import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commanderErrorLine,
  integerOption,
  numberOption,
  platformOption,
  rfc3339Option,
  urlOption,
} from '../src/options.js';
import { oneLine } from '../src/text.js';
import { flareo } from './helpers.js';

/** What a parser did with a value: its result, or the InvalidArgumentError message. */
function attempt<T>(parse: (v: string) => T, value: string): { ok: T } | { refused: string } {
  try {
    return { ok: parse(value) };
  } catch (error) {
    // Anything but commander's InvalidArgumentError would escape as a crash: fail loudly.
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return { refused: (error as Error).message };
  }
}

describe('the shared option parsers', () => {
  it('integers: digits only, within the range', () => {
    const p = integerOption({ min: 1, max: 3600 });
    expect(p('1')).toBe(1);
    expect(p('3600')).toBe(3600);
    for (const bad of ['0', '3601', '-1', '1.5', '1e3', '0x10', ' 5', '', 'abc', 'Infinity']) {
      expect(attempt(p, bad)).toEqual({ refused: 'expected an integer from 1 to 3600' });
    }
    const open = integerOption({ min: 1 });
    expect(open('100000')).toBe(100000);
    expect(attempt(open, '99999999999999999999')).toEqual({
      refused: 'expected an integer >= 1',
    });
  });

  it('numbers: finite decimals within the range', () => {
    const score = numberOption({ min: 0, max: 100 });
    expect(score('0')).toBe(0);
    expect(score('99.5')).toBe(99.5);
    expect(score('.5')).toBe(0.5);
    expect(score('1e2')).toBe(100);
    for (const bad of ['abc', 'Infinity', '-Infinity', 'NaN', '100.01', '-1', '0x1', '', ' 1']) {
      expect(attempt(score, bad)).toEqual({
        refused: 'expected a finite number from 0 to 100',
      });
    }
    const hours = numberOption({ min: 0, exclusiveMin: true });
    expect(attempt(hours, '0')).toEqual({ refused: 'expected a finite number more than 0' });
    expect(hours('0.001')).toBe(0.001);
    expect(attempt(numberOption({ min: 0 }), '1e400')).toEqual({
      refused: 'expected a finite number >= 0',
    });
  });

  it('RFC 3339 date-times are checked against the calendar', () => {
    const p = rfc3339Option();
    for (const good of [
      '2024-02-29T00:00:00Z',
      '2023-12-31T23:59:59.999+02:00',
      '2000-02-29T12:00:00-23:59',
    ]) {
      expect(p(good)).toBe(good);
    }
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2023-04-31T00:00:00Z',
      '2023-13-01T00:00:00Z',
      '2023-01-01T24:00:00Z',
      '2023-01-01T23:60:00Z',
      '2023-01-01T23:59:60Z',
      '2023-01-01T00:00:00+24:00',
      '2023-01-01',
      'yesterday',
    ]) {
      expect(attempt(p, bad)).toHaveProperty('refused');
    }
  });

  it('URLs and platforms', () => {
    const url = urlOption();
    expect(url('https://rekor.example.com')).toBe('https://rekor.example.com');
    expect(url('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000/');
    for (const bad of ['not a url', 'rekor.example.com', 'file:///etc/passwd', 'ftp://x', '']) {
      expect(attempt(url, bad)).toHaveProperty('refused');
    }
    const platform = platformOption();
    expect(platform('linux/arm64/v8', ['linux/amd64'])).toEqual(['linux/amd64', 'linux/arm64/v8']);
    for (const bad of ['x', 'linux/', '/amd64', 'linux/amd64/v8/extra', 'linux amd64']) {
      expect(attempt((v) => platform(v, undefined), bad)).toHaveProperty('refused');
    }
  });

  it('property: any string either parses within the range or is refused by InvalidArgumentError', () => {
    const int = integerOption({ min: 1, max: 3600 });
    const num = numberOption({ min: 0, max: 100 });
    const date = rfc3339Option();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.stringMatching(/^[-+]?\d{0,6}(\.\d{0,3})?([eE][-+]?\d{1,4})?$/),
          fc.double().map(String),
          fc.integer().map(String),
        ),
        (value) => {
          const i = attempt(int, value);
          if ('ok' in i) expect(Number.isInteger(i.ok) && i.ok >= 1 && i.ok <= 3600).toBe(true);
          const n = attempt(num, value);
          if ('ok' in n) expect(Number.isFinite(n.ok) && n.ok >= 0 && n.ok <= 100).toBe(true);
          const d = attempt(date, value);
          if ('ok' in d) expect(Number.isNaN(Date.parse(d.ok))).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('error lines stay one line whatever the value holds', () => {
    expect(oneLine('a\nb\r\tc\u0000')).toBe('a\\nb\\r\\tc\\u0000');
    const long = 'x'.repeat(1000);
    const line = commanderErrorLine(
      `error: option '--min-score <n>' argument '${long}\n' is invalid. expected a number\n`,
    );
    expect(line).toMatch(/^error: option '--min-score <n>' argument 'x{79}…' is invalid\./);
    expect(line).toContain('expected a number');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const out = commanderErrorLine(
          `error: option '--timeout <seconds>' argument '${value}' is invalid. expected an integer\n`,
        );
        expect(out).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(out.endsWith('expected an integer')).toBe(true);
        expect(out.length).toBeLessThan(200);
      }),
    );
  });
});

/** Every option that takes a number or one of a list, in every command. */
const OPTIONS: readonly { readonly args: readonly string[]; readonly flag: string }[] = [
  { args: ['verify-batch', 'm.jsonl'], flag: '--concurrency' },
  { args: ['verify-batch', 'm.jsonl'], flag: '--rekor-policy' },
  { args: ['verify', '--bundle', 'b.json', 'a.tgz'], flag: '--rekor-policy' },
  { args: ['verify-image', 'oci:dir'], flag: '--rekor-policy' },
  { args: ['verify-image', 'oci:dir'], flag: '--timeout' },
  { args: ['verify-image', 'oci:dir'], flag: '--platform' },
  { args: ['verify-image', 'oci:dir'], flag: '--rekor-url' },
  { args: ['verify', '--bundle', 'b.json', 'a.tgz'], flag: '--rekor-url' },
  { args: ['verify-batch', 'm.jsonl'], flag: '--rekor-url' },
  { args: ['vex', 'merge', 'a.json'], flag: '--doc-version' },
  { args: ['vex', 'merge', 'a.json'], flag: '--timestamp' },
  { args: ['vex', 'apply', '--vex', 'v.json', 'r.json'], flag: '--format' },
  { args: ['score', 's.json'], flag: '--grace-hours' },
  { args: ['score', 's.json'], flag: '--zero-hours' },
  { args: ['score', 's.json'], flag: '--passing-score' },
  { args: ['score', 's.json'], flag: '--warning-score' },
  { args: ['score', 's.json'], flag: '--min-score' },
];

/** Check a refused option value: exit 2, one line naming the option, the value, the expectation. */
function expectUsageLine(
  run: { code: number | null; stdout: string; stderr: string },
  flag: string,
): void {
  expect(run.code, run.stderr).toBe(2);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines, run.stderr).toHaveLength(1);
  const line = lines[0] as string;
  expect(line).toContain(`option '${flag} `);
  expect(line).toContain("' is invalid.");
  expect(line).toMatch(/expected|Allowed choices are/);
  expect(run.stderr).not.toMatch(/\n\s+at |Node\.js v|Error:/);
}

describe('flareo: a bad option value is exit 2 and one line, in every command', () => {
  it('the cases reported in issue 21', async () => {
    const cases: [string[], string][] = [
      [['score', '--min-score', 'abc', 's.json'], '--min-score'],
      [['verify-batch', '--concurrency', '0', 'm.jsonl'], '--concurrency'],
      [['score', '--grace-hours', 'abc', 's.json'], '--grace-hours'],
      [['vex', 'merge', '--doc-version', '0', 'a.json'], '--doc-version'],
      [['verify-image', '--timeout', '0', 'oci:dir'], '--timeout'],
      [['score', '--zero-hours', 'Infinity', 's.json'], '--zero-hours'],
      [['vex', 'apply', '--vex', 'v.json', '--format', 'csv', 'r.json'], '--format'],
    ];
    const runs = await Promise.all(cases.map(([args]) => flareo(args)));
    for (const [i, run] of runs.entries()) {
      const [args, flag] = cases[i] as [string[], string];
      expectUsageLine(run, flag);
      expect(run.stderr).toContain(`'${args[args.indexOf(flag) + 1]}'`);
    }
  });

  it('--json adds the usage error as { error } on stdout', async () => {
    const run = await flareo(['score', '--json', '--min-score', '200', 's.json']);
    expectUsageLine(run, '--min-score');
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'USAGE',
        message:
          "option '--min-score <n>' argument '200' is invalid. expected a finite number from 0 to 100",
      },
    });
  });

  it('property: random strings for any numeric or enum option give exit 2 and one clear line', async () => {
    // Values that are valid for none of the options: not a plain decimal, not a policy or
    // format name, not a date; anything else, control characters included.
    const junk = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter(
        (s) =>
          !/^[-+]?[\d.]*([eE][-+]?\d*)?$/.test(s) &&
          !/^\d{4}-/.test(s) &&
          !s.includes('/') &&
          !s.startsWith('-') &&
          !s.includes('\u0000'),
      );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPTIONS), junk, async (option, value) => {
        const [head, ...rest] = option.args;
        const args = [...(head === 'vex' ? option.args.slice(0, 2) : [head as string])];
        const tail = head === 'vex' ? option.args.slice(2) : rest;
        const run = await flareo([...args, option.flag, value, ...tail]);
        expectUsageLine(run, option.flag);
      }),
      { numRuns: 25 },
    );
  });
});

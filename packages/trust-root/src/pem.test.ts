import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrustRootError } from './errors.js';
import { parsePemBlocks } from './pem.js';

const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
const b64 = Buffer.from(der).toString('base64'); // MAMCAQU=
const block = (label: string, body = b64) =>
  `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

function rejection(text: string): TrustRootError {
  try {
    parsePemBlocks(text, 'bundle.pem');
  } catch (error) {
    expect(error).toBeInstanceOf(TrustRootError);
    return error as TrustRootError;
  }
  throw new Error('expected a rejection');
}

describe('parsePemBlocks: accepted forms', () => {
  it.each([
    ['one block', block('PUBLIC KEY'), ['PUBLIC KEY']],
    ['any order', block('CERTIFICATE') + block('PUBLIC KEY'), ['CERTIFICATE', 'PUBLIC KEY']],
    ['CRLF line ends', block('PUBLIC KEY').replaceAll('\n', '\r\n'), ['PUBLIC KEY']],
    [
      'blank lines around and inside',
      `\n\n${block('PUBLIC KEY').replace('\n', '\n\n')}\n\n`,
      ['PUBLIC KEY'],
    ],
    ['comment lines', `# Author A\n${block('PUBLIC KEY')}# trailing\n`, ['PUBLIC KEY']],
    ['comment after base64', block('PUBLIC KEY', `${b64} # Author A's raw key`), ['PUBLIC KEY']],
    ['indented comment', `   # note\n${block('PUBLIC KEY')}`, ['PUBLIC KEY']],
    [
      'text between blocks',
      `subject=CN=x\n${block('CERTIFICATE')}issuer: someone\n${block('PUBLIC KEY')}`,
      ['CERTIFICATE', 'PUBLIC KEY'],
    ],
    [
      'files joined without final newline',
      block('CERTIFICATE').trimEnd() + block('PUBLIC KEY'),
      ['CERTIFICATE', 'PUBLIC KEY'],
    ],
    [
      'EC and RSA labels',
      block('EC PUBLIC KEY') + block('RSA PUBLIC KEY'),
      ['EC PUBLIC KEY', 'RSA PUBLIC KEY'],
    ],
    ['no final newline', block('PUBLIC KEY').trimEnd(), ['PUBLIC KEY']],
    ['body split over lines', block('PUBLIC KEY', 'MAMC\nAQU='), ['PUBLIC KEY']],
  ])('%s', (_name, text, labels) => {
    const blocks = parsePemBlocks(text);
    expect(blocks.map((b) => b.label)).toEqual(labels);
    for (const b of blocks) expect(Buffer.from(b.der).equals(Buffer.from(der))).toBe(true);
  });

  it('records the BEGIN line of each block', () => {
    const blocks = parsePemBlocks(`# header\n\n${block('PUBLIC KEY')}\n${block('CERTIFICATE')}`);
    expect(blocks.map((b) => b.line)).toEqual([3, 7]);
  });
});

describe('parsePemBlocks: rejected forms name the line and the problem', () => {
  it.each([
    ['empty input', '', 'PEM_EMPTY', undefined],
    ['only comments and text', '# nothing here\nhello\n', 'PEM_EMPTY', undefined],
    ['unterminated block', `-----BEGIN PUBLIC KEY-----\n${b64}\n`, 'PEM_MALFORMED', 1],
    ['END without BEGIN', `${b64}\n-----END PUBLIC KEY-----\n`, 'PEM_MALFORMED', 2],
    [
      'mismatched END label',
      `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END CERTIFICATE-----\n`,
      'PEM_MALFORMED',
      3,
    ],
    [
      'BEGIN inside a block',
      `-----BEGIN PUBLIC KEY-----\n-----BEGIN PUBLIC KEY-----\n`,
      'PEM_MALFORMED',
      2,
    ],
    ['malformed boundary', `-----BEGIN PUBLIC KEY\n${b64}\n`, 'PEM_MALFORMED', 1],
    [
      'RFC 1421 headers',
      `-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n${b64}\n-----END PUBLIC KEY-----\n`,
      'PEM_MALFORMED',
      2,
    ],
    [
      'non-base64 text in a block',
      `-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n`,
      'PEM_BASE64_INVALID',
      2,
    ],
    [
      'data after padding',
      `-----BEGIN PUBLIC KEY-----\nMA==\nMAMC\n-----END PUBLIC KEY-----\n`,
      'PEM_BASE64_INVALID',
      3,
    ],
    [
      'length not a multiple of 4',
      `-----BEGIN PUBLIC KEY-----\nMAMCAQ\n-----END PUBLIC KEY-----\n`,
      'PEM_BASE64_INVALID',
      1,
    ],
    [
      'non-canonical base64',
      `-----BEGIN PUBLIC KEY-----\nMAMCAQV=\n-----END PUBLIC KEY-----\n`,
      'PEM_BASE64_INVALID',
      1,
    ],
    [
      'empty body',
      `-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n`,
      'PEM_BASE64_INVALID',
      1,
    ],
    ['private key', block('PRIVATE KEY'), 'PEM_UNSUPPORTED_BLOCK', 1],
    ['EC private key', block('EC PRIVATE KEY'), 'PEM_UNSUPPORTED_BLOCK', 1],
    ['CRL', `${block('PUBLIC KEY')}${block('X509 CRL')}`, 'PEM_UNSUPPORTED_BLOCK', 4],
  ])('%s', (_name, text, code, line) => {
    const error = rejection(text);
    expect(error.code).toBe(code);
    expect(error.detail.line).toBe(line);
    expect(error.detail.source).toBe('bundle.pem');
    expect(error.message).toContain('bundle.pem');
    if (line !== undefined) expect(error.message).toContain(`line ${line}`);
  });

  it('says why a private key is refused', () => {
    expect(rejection(block('PRIVATE KEY')).message).toMatch(/private key material/);
  });
});

describe('parsePemBlocks: properties', () => {
  const label = fc.constantFrom('CERTIFICATE', 'PUBLIC KEY', 'EC PUBLIC KEY', 'RSA PUBLIC KEY');
  const blob = fc.uint8Array({ minLength: 1, maxLength: 300 });
  const noise = fc.constantFrom('', '\n', '# comment\n', 'some text\n', '\r\n');

  it('round-trips any blocks written with any layout', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(label, blob, noise, fc.integer({ min: 4, max: 76 }), fc.boolean()), {
          minLength: 1,
          maxLength: 6,
        }),
        (items) => {
          const text = items
            .map(([l, bytes, gap, width, crlf]) => {
              const body = Buffer.from(bytes).toString('base64');
              const w = width - (width % 4);
              const lines = body.match(new RegExp(`.{1,${w}}`, 'g')) ?? [];
              const nl = crlf ? '\r\n' : '\n';
              return `${gap}-----BEGIN ${l}-----${nl}${lines.join(nl)}${nl}-----END ${l}-----${nl}`;
            })
            .join('');
          const parsed = parsePemBlocks(text);
          expect(parsed.map((b) => b.label)).toEqual(items.map(([l]) => l));
          parsed.forEach((b, i) => {
            expect(Buffer.from(b.der).equals(Buffer.from(items[i]?.[1] ?? []))).toBe(true);
          });
        },
      ),
    );
  });

  it('never fails with anything but a TrustRootError', () => {
    const pemish = fc.stringMatching(/^[-A-Za-z0-9+/= \n#\r]{0,200}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          pemish,
          fc
            .constant(block('PUBLIC KEY'))
            .chain((b) => fc.integer({ min: 0, max: b.length }).map((cut) => b.slice(0, cut))),
        ),
        (text) => {
          try {
            parsePemBlocks(text);
          } catch (error) {
            expect(error).toBeInstanceOf(TrustRootError);
          }
        },
      ),
    );
  });
});

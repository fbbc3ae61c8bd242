import {
  buildTrustedRoot,
  checkpointBody,
  cosignatureV1Signer,
  ed25519NoteSigner,
  greaseSignatureLine,
  type NoteSigner,
  noteSignatureLine,
  signNote,
  spkiHashNoteSigner,
  TestRekorV2,
  testKey,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_NOTE_SIGNATURES,
  originMatches,
  parseCheckpoint,
  verifyCheckpoint,
} from '../src/checkpoint.js';
import { RekorError, type RekorErrorCode } from '../src/errors.js';
import {
  b64,
  createWorld,
  expectRekorError,
  PROPERTY_TIMEOUT,
  rejection,
  sha256,
} from './support.js';

const w = createWorld();
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const v1Size = w.v1.size;
const v2Size = w.v2.size;
const v1Note = w.v1.checkpoint();
const v2Note = w.v2.checkpoint();
const witnessKey = testKey('ed25519', 'checkpoint-witness');
const witness = cosignatureV1Signer('witness.flareo.test/w1', witnessKey, 1_780_000_000);
const otherEd = testKey('ed25519', 'checkpoint-other');
const otherEc = testKey('ecdsa-p256', 'checkpoint-other');

/** A note with the given text lines and signature block (no checks, for malformed input). */
const note = (lines: readonly string[], sigs: string) => `${lines.join('\n')}\n\n${sigs}`;
const v1Lines = v1Note.slice(0, v1Note.indexOf('\n\n')).split('\n');
const v1Sigs = v1Note.slice(v1Note.indexOf('\n\n') + 2);
const aSig = greaseSignatureLine('a.example', Uint8Array.of(1, 2, 3, 4));
const ROOT = b64(sha256('root'));

describe('parseCheckpoint: well-formed notes', () => {
  it('reads a Rekor v1 checkpoint (origin with tree id, Timestamp extension)', () => {
    const cp = parseCheckpoint(v1Note);
    expect(cp.origin).toBe(w.v1.origin);
    expect(cp.treeSize).toBe(v1Size);
    expect(cp.rootHash).toEqual(w.v1.rootHash());
    expect(cp.extensions).toHaveLength(1);
    expect(cp.extensions[0]).toMatch(/^Timestamp: \d+$/);
    expect(cp.body).toBe(v1Note.slice(0, v1Note.indexOf('\n\n') + 1));
    expect(cp.signatures).toEqual([
      {
        name: w.v1.hostname,
        keyId: hex(w.v1.noteSigner().keyIdBytes),
        signature: expect.any(Uint8Array),
      },
    ]);
    expect(Object.isFrozen(cp)).toBe(true);
    expect(Object.isFrozen(cp.signatures)).toBe(true);
    expect(Object.isFrozen(cp.extensions)).toBe(true);
  });

  it('reads a Rekor v2 checkpoint (origin = host, no extension, Ed25519 signature)', () => {
    const cp = parseCheckpoint(v2Note);
    expect(cp.origin).toBe(w.v2.hostname);
    expect(cp.treeSize).toBe(v2Size);
    expect(cp.extensions).toEqual([]);
    expect(cp.signatures[0]?.keyId).toBe(hex(w.v2.logIdBytes.subarray(0, 4)));
    expect(cp.signatures[0]?.signature).toHaveLength(64);
  });

  it('keeps every signature line in order, witnesses and grease included', () => {
    const n = w.v2.checkpoint({ signers: [witness, w.v2.noteSigner()], extraLines: [aSig] });
    const cp = parseCheckpoint(n);
    expect(cp.signatures.map((s) => s.name)).toEqual([
      'witness.flareo.test/w1',
      w.v2.hostname,
      'a.example',
    ]);
    // cosignature/v1: 8-byte timestamp then the Ed25519 signature.
    expect(cp.signatures[0]?.signature).toHaveLength(72);
    expect(cp.signatures[2]?.keyId).toBe('01020304');
  });

  it.each<[string, string, Partial<ReturnType<typeof parseCheckpoint>>]>([
    ['tree size 0', note(['o', '0', ROOT], aSig), { treeSize: 0n }],
    [
      'tree size 2^64 - 1',
      note(['o', '18446744073709551615', ROOT], aSig),
      { treeSize: 18_446_744_073_709_551_615n },
    ],
    [
      'several extension lines',
      note(['o', '1', ROOT, 'Timestamp: 1', 'x y z'], aSig),
      { extensions: ['Timestamp: 1', 'x y z'] },
    ],
    [
      'a non-ASCII origin',
      note(['l\u00f6g.example', '1', ROOT], aSig),
      { origin: 'l\u00f6g.example' },
    ],
    [
      `${MAX_NOTE_SIGNATURES} signature lines`,
      note(['o', '1', ROOT], aSig.repeat(MAX_NOTE_SIGNATURES)),
      { origin: 'o' },
    ],
  ])('accepts %s', (_name, text, expected) => {
    expect(parseCheckpoint(text)).toMatchObject(expected);
  });

  it('MAX_NOTE_SIGNATURES is 100 (C2SP: at least 16 must be accepted)', () => {
    expect(MAX_NOTE_SIGNATURES).toBe(100);
  });
});

describe('parseCheckpoint: malformed notes → CHECKPOINT_MALFORMED', () => {
  const shortSig = noteSignatureLine('a.example', Uint8Array.of(1, 2, 3, 4), new Uint8Array());
  it.each<[string, string]>([
    ['empty string', ''],
    ['no blank line', v1Note.replace('\n\n', '\n')],
    ['no signature block', `${v1Lines.join('\n')}\n\n`],
    ['signature block without final newline', v1Note.slice(0, -1)],
    ['text after the last signature line', `${v1Note}trailing`],
    ['CR in the text', v1Note.replace('\n', '\r\n')],
    ['CRLF everywhere', v1Note.replaceAll('\n', '\r\n')],
    ['tab in the origin', note([`${v1Lines[0]}\t`, ...v1Lines.slice(1)], v1Sigs)],
    ['NUL in the origin', note(['o\u0000', '1', ROOT], aSig)],
    ['DEL in an extension', note(['o', '1', ROOT, 'x\u007f'], aSig)],
    ['ESC in a signature line', note(['o', '1', ROOT], `\u001b${aSig}`)],
    ['only origin and size', note(['o', '1'], aSig)],
    ['only the origin', note(['o'], aSig)],
    ['empty origin', note(['', '1', ROOT], aSig)],
    ['size with a leading zero', note(['o', '01', ROOT], aSig)],
    ['negative size', note(['o', '-1', ROOT], aSig)],
    ['size with a plus sign', note(['o', '+1', ROOT], aSig)],
    ['size with a space', note(['o', ' 1', ROOT], aSig)],
    ['size in hex', note(['o', '0x10', ROOT], aSig)],
    ['size 2^64', note(['o', '18446744073709551616', ROOT], aSig)],
    ['size of 21 digits', note(['o', '100000000000000000000', ROOT], aSig)],
    ['root hash without padding', note(['o', '1', ROOT.slice(0, -1)], aSig)],
    ['root hash of 31 bytes', note(['o', '1', b64(new Uint8Array(31))], aSig)],
    ['root hash of 33 bytes', note(['o', '1', b64(new Uint8Array(33))], aSig)],
    ['root hash in base64url', note(['o', '1', `${'_'.repeat(43)}=`], aSig)],
    ['root hash in hex', note(['o', '1', hex(sha256('root'))], aSig)],
    ['empty extension line', note(['o', '1', ROOT, '', 'x'], aSig)],
    [
      'signature line with a hyphen instead of an em dash',
      note(['o', '1', ROOT], aSig.replace('\u2014', '-')),
    ],
    [
      'signature line without a space after the dash',
      note(['o', '1', ROOT], aSig.replace('\u2014 ', '\u2014')),
    ],
    ['signature line with two spaces', note(['o', '1', ROOT], aSig.replace(' ', '  '))],
    ['signature line with no signature', note(['o', '1', ROOT], '\u2014 a.example\n')],
    ['key name with "+"', note(['o', '1', ROOT], aSig.replace('a.example', 'a+b.example'))],
    ['signature shorter than 5 bytes', note(['o', '1', ROOT], shortSig)],
    ['signature in base64url', note(['o', '1', ROOT], '\u2014 a.example AQID_-8=\n')],
    ['empty line between signature lines', note(['o', '1', ROOT], `${aSig}\n${aSig}`)],
    [
      `${MAX_NOTE_SIGNATURES + 1} signature lines`,
      note(['o', '1', ROOT], aSig.repeat(MAX_NOTE_SIGNATURES + 1)),
    ],
  ])('%s', (_name, text) => {
    expectRekorError(() => parseCheckpoint(text), 'CHECKPOINT_MALFORMED');
  });

  it('names the first control character of the note', () => {
    for (const [text, code] of [
      [note(['o\u0000', '1', ROOT], aSig), '0x0'],
      [note(['o', '1', ROOT, 'x\u007f', 'y\u0001'], aSig), '0x7f'],
      [note(['o\u001f', '1', ROOT, 'x\u007f'], aSig), '0x1f'],
      [v1Note.replace('\n', '\r\n'), '0xd'],
    ] as const) {
      expect(() => parseCheckpoint(text)).toThrow(`contains control character ${code}`);
    }
  });
});

describe('originMatches', () => {
  const host = 'rekor.example.dev';
  it.each<[string, boolean]>([
    [host, true],
    [`${host} - 2605736670972794746`, true],
    [`${host} - 0`, true],
    [`${host} - `, false],
    [`${host} - 12a`, false],
    [`${host} - -1`, false],
    [`${host} - 1 `, false],
    [`${host} - 1\n`, false],
    [`${host}-1`, false],
    [`${host}  - 1`, false],
    [`evil.${host}`, false],
    [`${host}.evil`, false],
    [`${host.toUpperCase()}`, false],
    ['', false],
  ])('%j → %s', (origin, expected) => {
    expect(originMatches(origin, host)).toBe(expected);
  });
});

describe('verifyCheckpoint', () => {
  const v1Body = checkpointBody({ origin: w.v1.origin, size: v1Size, rootHash: w.v1.rootHash() });
  const v2Body = checkpointBody({ origin: w.v2.origin, size: v2Size, rootHash: w.v2.rootHash() });
  const bad = (name: string, keyIdBytes: Uint8Array, key = otherEc): NoteSigner => ({
    name,
    keyIdBytes,
    sign: (m) => key.sign(m),
  });

  it.each<[string, () => string, 'v1' | 'v2']>([
    ['Rekor v1 note', () => v1Note, 'v1'],
    ['Rekor v2 note', () => v2Note, 'v2'],
    ['v1 with the log line last', () => signNote(v1Body, [witness, w.v1.noteSigner()]), 'v1'],
    [
      'v2 with witness, grease and a foreign key ID under the log name first',
      () =>
        signNote(
          v2Body,
          [witness, bad(w.v2.hostname, Uint8Array.of(9, 9, 9, 9), otherEd), w.v2.noteSigner()],
          [aSig],
        ),
      'v2',
    ],
    [
      'v1 signed twice by the log key',
      () => signNote(v1Body, [w.v1.noteSigner(), w.v1.noteSigner()]),
      'v1',
    ],
    [
      'v1 log with a v2-style origin (host only)',
      () =>
        signNote(checkpointBody({ origin: w.v1.hostname, size: 1, rootHash: sha256('r') }), [
          w.v1.noteSigner(),
        ]),
      'v1',
    ],
  ])('accepts: %s', (_name, make, which) => {
    const log = which === 'v1' ? w.v1Log : w.v2Log;
    const cp = verifyCheckpoint(make(), log);
    expect(cp.signatures.some((s) => s.name === log.host)).toBe(true);
  });

  it.each<[string, () => string, 'v1' | 'v2', RekorErrorCode, Record<string, unknown>?]>([
    [
      'v1 note checked against the v2 log',
      () => v1Note,
      'v2',
      'CHECKPOINT_UNSIGNED',
      {
        expected: { name: w.v2.hostname, keyId: [hex(w.v2.logIdBytes.subarray(0, 4))] },
        actual: [{ name: w.v1.hostname, keyId: hex(w.v1.noteSigner().keyIdBytes) }],
      },
    ],
    ['only witness lines', () => signNote(v2Body, [witness]), 'v2', 'CHECKPOINT_UNSIGNED'],
    [
      'log key under another name',
      () => signNote(v2Body, [ed25519NoteSigner('other.example', w.v2.key)]),
      'v2',
      'CHECKPOINT_UNSIGNED',
    ],
    [
      'log name with a key ID computed for another name',
      () =>
        signNote(v2Body, [
          { ...ed25519NoteSigner('other.example', w.v2.key), name: w.v2.hostname },
        ]),
      'v2',
      'CHECKPOINT_UNSIGNED',
    ],
    [
      'another key under the log name (own key ID)',
      () => signNote(v1Body, [spkiHashNoteSigner(w.v1.hostname, otherEc)]),
      'v1',
      'CHECKPOINT_UNSIGNED',
    ],
    [
      "log's key ID, another key's signature",
      () => signNote(v1Body, [bad(w.v1.hostname, w.v1.noteSigner().keyIdBytes)]),
      'v1',
      'CHECKPOINT_INVALID',
      { field: 'checkpoint signature' },
    ],
    [
      "a good and a bad line with the log's key ID",
      () =>
        signNote(v2Body, [
          w.v2.noteSigner(),
          bad(w.v2.hostname, w.v2.noteSigner().keyIdBytes, otherEd),
        ]),
      'v2',
      'CHECKPOINT_INVALID',
    ],
    [
      'signature over another body',
      () => {
        const other = checkpointBody({ origin: w.v2.origin, size: 1, rootHash: sha256('x') });
        const sigs = signNote(other, [w.v2.noteSigner()]).slice(other.length + 1);
        return `${v2Body}\n${sigs}`;
      },
      'v2',
      'CHECKPOINT_INVALID',
    ],
    [
      'Ed25519 signature truncated',
      () => {
        const good = signNote(v2Body, [w.v2.noteSigner()]);
        const cp = parseCheckpoint(good);
        const sig = cp.signatures[0]?.signature ?? new Uint8Array();
        return `${v2Body}\n${noteSignatureLine(w.v2.hostname, w.v2.noteSigner().keyIdBytes, sig.subarray(0, 40))}`;
      },
      'v2',
      'CHECKPOINT_INVALID',
    ],
    [
      'another origin, signed by the log',
      () =>
        signNote(checkpointBody({ origin: 'other.example', size: 1, rootHash: sha256('r') }), [
          w.v2.noteSigner(),
        ]),
      'v2',
      'CHECKPOINT_ORIGIN_MISMATCH',
      { actual: 'other.example' },
    ],
    [
      'v1 origin with another host, signed by the log',
      () =>
        signNote(checkpointBody({ origin: `x${w.v1.origin}`, size: 1, rootHash: sha256('r') }), [
          w.v1.noteSigner(),
        ]),
      'v1',
      'CHECKPOINT_ORIGIN_MISMATCH',
    ],
    ['malformed note', () => 'nonsense', 'v1', 'CHECKPOINT_MALFORMED'],
  ])('rejects: %s', (_name, make, which, code, detail) => {
    const log = which === 'v1' ? w.v1Log : w.v2Log;
    expectRekorError(() => verifyCheckpoint(make(), log), code, detail);
  });

  it('carries the detail it is given', () => {
    const error = expectRekorError(
      () => verifyCheckpoint(v1Note, w.v2Log, { entry: 3, logIndex: '42' }),
      'CHECKPOINT_UNSIGNED',
    );
    expect(error.detail).toMatchObject({ entry: 3, logIndex: '42' });
  });

  it('a log without base URL cannot be matched by name', () => {
    const { tlogs } = parseTrustedRoot({
      ...buildTrustedRoot({}),
      tlogs: [w.v1.transparencyLogInstance()],
    });
    const [log] = tlogs;
    if (!log) throw new Error('no log');
    const { baseUrl: _b, host: _h, ...hostless } = log;
    expectRekorError(() => verifyCheckpoint(v1Note, hostless), 'CHECKPOINT_UNSIGNED', {
      expected: 'a log with baseUrl',
    });
  });

  it('a trusted_root v0.2 checkpointKeyId is an accepted key ID for the log key', () => {
    const alt = sha256('alternate checkpoint key id');
    const trust = parseTrustedRoot({
      ...buildTrustedRoot({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.2',
      }),
      tlogs: [{ ...w.v1.transparencyLogInstance(), checkpointKeyId: { keyId: b64(alt) } }],
    });
    const [log] = trust.tlogs;
    if (!log) throw new Error('no log');
    const signer = { ...w.v1.noteSigner(), keyIdBytes: alt.subarray(0, 4) };
    expect(verifyCheckpoint(signNote(v1Body, [signer]), log).treeSize).toBe(v1Size);
    // The SPKI key ID keeps working next to it.
    expect(verifyCheckpoint(v1Note, log).treeSize).toBe(v1Size);
  });

  it('a Rekor v2 log with an ECDSA key (key ID = SHA-256(SPKI)[:4])', () => {
    const ec = new TestRekorV2({ keyType: 'ecdsa-p256', seed: 'checkpoint-ecdsa-v2' });
    ec.addHashedRekordV002({
      digest: w.digest,
      signature: w.signature,
      certificateDer: w.leaf.der,
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    });
    const trust = parseTrustedRoot({
      ...buildTrustedRoot({}),
      tlogs: [ec.transparencyLogInstance()],
    });
    const [log] = trust.tlogs;
    if (!log) throw new Error('no log');
    expect(verifyCheckpoint(ec.checkpoint(), log).origin).toBe(ec.hostname);
    expectRekorError(() => verifyCheckpoint(v2Note, log), 'CHECKPOINT_UNSIGNED');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/** Anything parseCheckpoint throws must be a RekorError with code CHECKPOINT_MALFORMED. */
function onlyMalformed(text: string): void {
  try {
    parseCheckpoint(text);
  } catch (error) {
    // Plain checks, not expect(): this runs hundreds of times per property.
    if (!(error instanceof RekorError)) throw error;
    if (error.code !== 'CHECKPOINT_MALFORMED') throw new Error(`unexpected ${error.code}`);
  }
}

/**
 * Any code point, ASCII (controls included) as often as the rest; lone surrogates too. Used
 * instead of fast-check's 'binary' unit, whose first use costs seconds of table building.
 */
const anyCodePoint = fc
  .oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x10ffff }))
  .map((c) => String.fromCodePoint(c));

const noteChars = fc.constantFrom(
  '\n',
  '\n\n',
  ' ',
  '\u2014 ',
  '\u2014',
  '+',
  '=',
  '/',
  '0',
  '1',
  'a',
  'Z',
  '\r',
  '\t',
  '\u0000',
  '\u007f',
  '\ud800',
  '\u{1f600}',
  '-',
);

describe('parseCheckpoint properties', { timeout: PROPERTY_TIMEOUT }, () => {
  it('never throws anything but a RekorError on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: anyCodePoint, maxLength: 300 }),
          fc.string({ unit: noteChars, maxLength: 200 }),
          fc
            .array(fc.oneof(fc.string({ maxLength: 50 }), noteChars), { maxLength: 30 })
            .map((p) => p.join('\n')),
        ),
        onlyMalformed,
      ),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a RekorError on edited real notes', () => {
    const real = fc.constantFrom(
      v1Note,
      v2Note,
      w.v2.checkpoint({ extraSigners: [witness], extraLines: [aSig] }),
    );
    fc.assert(
      fc.property(
        real,
        fc.array(
          fc.record({
            at: fc.nat(),
            cut: fc.nat({ max: 8 }),
            insert: fc.string({ unit: noteChars, maxLength: 3 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (text, edits) => {
          let t = text;
          for (const { at, cut, insert } of edits) {
            const i = at % (t.length + 1);
            t = t.slice(0, i) + insert + t.slice(i + cut);
          }
          onlyMalformed(t);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads back every field of any well-formed checkpoint', () => {
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => [...s].every((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f'));
    fc.assert(
      fc.property(
        line,
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 4 }),
        fc.integer({ min: 1, max: 20 }),
        (origin, size, root, extensions, sigCount) => {
          const body = checkpointBody({ origin, size, rootHash: root, extensions });
          const text = `${body}\n${aSig.repeat(sigCount)}`;
          const cp = parseCheckpoint(text);
          expect(cp.origin).toBe(origin);
          expect(cp.treeSize).toBe(size);
          expect(cp.rootHash).toEqual(root);
          expect(cp.extensions).toEqual(extensions);
          expect(cp.body).toBe(body);
          expect(cp.signatures).toHaveLength(sigCount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any change to the signed text of a real checkpoint is rejected', () => {
    const body = v2Note.slice(0, v2Note.indexOf('\n\n') + 1);
    fc.assert(
      fc.property(
        fc.nat({ max: body.length - 1 }),
        fc.constantFrom('0', '1', 'A', 'a', '+', '/', ' ', '-', 'x', '\n'),
        (i, c) => {
          fc.pre(body[i] !== c);
          const text = v2Note.slice(0, i) + c + v2Note.slice(i + 1);
          const error = rejection(() => verifyCheckpoint(text, w.v2Log));
          expect(['CHECKPOINT_MALFORMED', 'CHECKPOINT_INVALID', 'CHECKPOINT_UNSIGNED']).toContain(
            error.code,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

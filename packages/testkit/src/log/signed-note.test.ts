import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import {
  addNoteSignatures,
  checkpointBody,
  cosignatureV1KeyHash,
  cosignatureV1Message,
  cosignatureV1Signer,
  ecdsaNoteKeyHash,
  ecdsaNoteSigner,
  ed25519NoteKeyHash,
  ed25519NoteSigner,
  ed25519VerifierKey,
  greaseSignatureLine,
  noteSignatureLine,
  parseSignedNote,
  rawEd25519PublicKey,
  signNote,
  spkiHashNoteSigner,
} from './signed-note.js';

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);
const root = createHash('sha256').update('root').digest();

describe('checkpointBody', () => {
  it.each([
    {
      name: 'plain',
      fields: { origin: 'example.com/log', size: 20852163, rootHash: root },
      want: `example.com/log\n20852163\n${b64(root)}\n`,
    },
    {
      name: 'bigint size and extension',
      fields: {
        origin: 'rekor.flareo.test - 2605736670972794746',
        size: 2n ** 64n - 1n,
        rootHash: root,
        extensions: ['Timestamp: 1704067200000000000'],
      },
      want: `rekor.flareo.test - 2605736670972794746\n18446744073709551615\n${b64(root)}\nTimestamp: 1704067200000000000\n`,
    },
    {
      name: 'zero size',
      fields: { origin: 'o', size: 0, rootHash: root },
      want: `o\n0\n${b64(root)}\n`,
    },
  ])('$name', ({ fields, want }) => {
    expect(checkpointBody(fields)).toBe(want);
  });

  it('rejects multi-line fields', () => {
    expect(() => checkpointBody({ origin: 'a\nb', size: 1, rootHash: root })).toThrow();
    expect(() =>
      checkpointBody({ origin: 'a', size: 1, rootHash: root, extensions: [''] }),
    ).toThrow();
  });
});

describe('key hashes against published values', () => {
  it('C2SP signed-note example vkey ID', () => {
    const vkey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
    const [name, id, key] = vkey.split('+') as [string, string, string];
    const raw = new Uint8Array(Buffer.from(key, 'base64'));
    expect(raw[0]).toBe(0x01);
    expect(hex(ed25519NoteKeyHash(name, raw.subarray(1)).subarray(0, 4))).toBe(id);
  });

  it('production Rekor v2 log ID (log2025-1)', () => {
    const spki = Buffer.from(
      'MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=',
      'base64',
    );
    const raw = new Uint8Array(spki.subarray(spki.length - 32));
    expect(b64(ed25519NoteKeyHash('log2025-1.rekor.sigstore.dev', raw))).toBe(
      'zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A=',
    );
  });

  it('production Rekor v1 log ID (ECDSA SPKI hash)', () => {
    const pem = [
      '-----BEGIN PUBLIC KEY-----',
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr',
      'kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==',
      '-----END PUBLIC KEY-----',
    ].join('\n');
    const spki = new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
    expect(hex(ecdsaNoteKeyHash(spki))).toBe(
      'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
    );
  });

  it('cosignature key hash uses type 0x04', () => {
    const raw = rawEd25519PublicKey(testKey('ed25519', 'w'));
    const want = createHash('sha256')
      .update(Buffer.concat([Buffer.from('w.example\n'), Buffer.of(0x04), raw]))
      .digest();
    expect(hex(cosignatureV1KeyHash('w.example', raw))).toBe(want.toString('hex'));
    expect(hex(cosignatureV1KeyHash('w.example', raw))).not.toBe(
      hex(ed25519NoteKeyHash('w.example', raw)),
    );
  });

  it('vkey string', () => {
    const k = testKey('ed25519', 'vkey');
    const vkey = ed25519VerifierKey('example.com/x', k);
    const [name, id, key] = vkey.split('+') as [string, string, string];
    expect(name).toBe('example.com/x');
    expect(id).toBe(hex(ed25519NoteKeyHash(name, rawEd25519PublicKey(k)).subarray(0, 4)));
    expect(Buffer.from(key, 'base64').subarray(1)).toEqual(Buffer.from(rawEd25519PublicKey(k)));
  });
});

describe('signNote', () => {
  const body = checkpointBody({ origin: 'log.example', size: 5, rootHash: root });
  const ed = testKey('ed25519', 'note-ed');
  const ec = testKey('ecdsa-p256', 'note-ec');

  it('writes the exact signed-note format', () => {
    const note = signNote(body, [ed25519NoteSigner('log.example', ed)]);
    expect(note.startsWith(`${body}\n\u2014 log.example `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    expect(note.split('\n').length).toBe(6); // 3 body lines, blank, 1 sig, trailing ''
    const bytes = Buffer.from(note, 'utf8');
    const dash = bytes.indexOf(Buffer.from([0xe2, 0x80, 0x94]));
    expect(dash).toBe(Buffer.byteLength(body) + 1);
    const sigB64 = note.slice(note.lastIndexOf(' ') + 1, -1);
    const raw = Buffer.from(sigB64, 'base64');
    expect(raw.length).toBe(4 + 64);
    expect(hex(raw.subarray(0, 4))).toBe(
      hex(ed25519NoteKeyHash('log.example', rawEd25519PublicKey(ed)).subarray(0, 4)),
    );
    expect(verify(null, utf8(body), ed.publicKey, raw.subarray(4))).toBe(true);
    expect(verify(null, utf8(`${body}\n`), ed.publicKey, raw.subarray(4))).toBe(false);
    expect(note).toBe(`${body}\n\u2014 log.example ${raw.toString('base64')}\n`);
  });

  it.each([
    { name: 'ed25519', signer: ed25519NoteSigner('n', ed), key: ed, hash: null },
    { name: 'ecdsa', signer: ecdsaNoteSigner('n', ec), key: ec, hash: 'sha256' },
    { name: 'spki-hash', signer: spkiHashNoteSigner('n', ec), key: ec, hash: 'sha256' },
  ])('$name signature verifies and is deterministic', ({ signer, key, hash }) => {
    const note = signNote(body, [signer]);
    expect(signNote(body, [signer])).toBe(note);
    const parsed = parseSignedNote(note);
    expect(parsed.body).toBe(body);
    const [sig] = parsed.signatures;
    expect(sig?.name).toBe('n');
    expect(hex(sig?.keyId ?? new Uint8Array())).toBe(hex(signer.keyIdBytes));
    expect(verify(hash, utf8(body), key.publicKey, sig?.signature ?? new Uint8Array())).toBe(true);
  });

  it('ECDSA key ID is SHA-256(SPKI)[:4]', () => {
    expect(hex(ecdsaNoteSigner('x', ec).keyIdBytes)).toBe(ec.keyId.slice(0, 8));
    expect(() => ecdsaNoteSigner('x', ed)).toThrow();
  });

  it('multiple signers, extra lines and appended signatures keep order', () => {
    const grease = greaseSignatureLine('unknown.example', Uint8Array.of(1, 2, 3, 4));
    const note = signNote(
      body,
      [ed25519NoteSigner('a.example', ed), ecdsaNoteSigner('b.example', ec)],
      [grease],
    );
    const more = addNoteSignatures(note, [ed25519NoteSigner('c.example', ed)]);
    const names = parseSignedNote(more).signatures.map((s) => s.name);
    expect(names).toEqual(['a.example', 'b.example', 'unknown.example', 'c.example']);
    expect(more.startsWith(note)).toBe(true);
  });

  it('allows blank lines inside a generic note body (split at the last blank line)', () => {
    const poem = 'line one\n\nline three\n';
    const note = signNote(poem, [ed25519NoteSigner('p', ed)]);
    expect(parseSignedNote(note).body).toBe(poem);
  });

  it('rejects bad input', () => {
    expect(() => signNote('no newline', [])).toThrow();
    expect(() =>
      noteSignatureLine('has space', Uint8Array.of(1, 2, 3, 4), Uint8Array.of(1)),
    ).toThrow();
    expect(() => noteSignatureLine('a+b', Uint8Array.of(1, 2, 3, 4), Uint8Array.of(1))).toThrow();
    expect(() => noteSignatureLine('ok', Uint8Array.of(1, 2, 3), Uint8Array.of(1))).toThrow();
  });
});

describe('witness cosignature/v1', () => {
  const body = checkpointBody({
    origin: 'log.example',
    size: 10,
    rootHash: root,
    extensions: ['ext line'],
  });
  const witness = testKey('ed25519', 'witness-1');

  it('produces timestamp ‖ Ed25519(cosignature/v1\\ntime <ts>\\n ‖ body)', () => {
    const ts = 1679315147;
    const signer = cosignatureV1Signer('witness.example/w1', witness, ts);
    const note = signNote(body, [signer]);
    const [sig] = parseSignedNote(note).signatures;
    if (!sig) throw new Error('no signature');
    expect(sig.signature.length).toBe(72);
    expect(hex(sig.keyId)).toBe(
      hex(cosignatureV1KeyHash('witness.example/w1', rawEd25519PublicKey(witness)).subarray(0, 4)),
    );
    expect(Buffer.from(sig.signature.subarray(0, 8)).readBigUInt64BE()).toBe(BigInt(ts));
    const message = cosignatureV1Message(body, ts);
    expect(new TextDecoder().decode(message)).toBe(`cosignature/v1\ntime 1679315147\n${body}`);
    expect(verify(null, message, witness.publicKey, sig.signature.subarray(8))).toBe(true);
    expect(verify(null, utf8(body), witness.publicKey, sig.signature.subarray(8))).toBe(false);
  });
});

// Generates src/generated/public-good.ts from the Sigstore public-good trusted_root.json
// that @sigstore/tuf ships in its TUF seeds. The output is not committed: it is rebuilt
// before every build and test, so upgrading @sigstore/tuf refreshes the embedded root.
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const seedsPath = join(dirname(require.resolve('@sigstore/tuf/package.json')), 'seeds.json');
const tufVersion = JSON.parse(
  readFileSync(join(dirname(seedsPath), 'package.json'), 'utf8'),
).version;
const seeds = JSON.parse(readFileSync(seedsPath, 'utf8'));
const mirror = 'https://tuf-repo-cdn.sigstore.dev';
const encoded = seeds[mirror]?.targets?.['trusted_root.json'];
if (typeof encoded !== 'string') {
  throw new Error(`@sigstore/tuf seeds.json has no trusted_root.json target for ${mirror}`);
}
const trustedRoot = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));

// --- build-time checks of the embedded root's certificate signatures ------------------------
// The parser verifies every CA and TSA chain of a trusted_root.json when it loads one (each
// self-issued certificate with its own key, each certificate with the next one's key). For
// the embedded root that work is done here, once, by node:crypto's X509Certificate (code
// independent of the parser's), and each check that passed is written down under the key
// src/prechecked.ts computes for the same request; at run time those checks are answered
// from this record and anything else is verified as usual. The DER reading below is the
// minimum needed to find the signed bytes, the signature and the key (hand-written: a build
// script of this package cannot load the package's own, not yet built, reader).

/** One DER TLV at `offset`: tag, where its content starts and ends. */
function tlv(der, offset) {
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  return { tag, offset, start, end: start + length };
}

/** The TLVs inside a constructed TLV. */
function childrenOf(der, parent) {
  const out = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = tlv(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

const SIGNATURE_SCHEMES = {
  '2a8648ce3d040302': 'ecdsa:sha256',
  '2a8648ce3d040303': 'ecdsa:sha384',
  '2a8648ce3d040304': 'ecdsa:sha512',
  '2a864886f70d01010b': 'rsa-pkcs1v15:sha256',
  '2a864886f70d01010c': 'rsa-pkcs1v15:sha384',
  '2a864886f70d01010d': 'rsa-pkcs1v15:sha512',
  '2b6570': 'ed25519:',
};

/** What the parser's signature request for this certificate is made of. */
function certificateParts(der) {
  const [tbs, algorithm, signature] = childrenOf(der, tlv(der, 0));
  const fields = childrenOf(der, tbs);
  const at = fields[0].tag === 0xa0 ? 1 : 0; // [0] version, then serial, signature, issuer…
  const [issuer, , subject, spki] = fields.slice(at + 2, at + 6);
  const oid = childrenOf(der, algorithm)[0];
  return {
    tbs: der.subarray(tbs.offset, tbs.end),
    // BIT STRING content after its unused-bits octet.
    signature: der.subarray(signature.start + 1, signature.end),
    scheme: SIGNATURE_SCHEMES[der.subarray(oid.start, oid.end).toString('hex')],
    issuerName: der.subarray(issuer.offset, issuer.end).toString('hex'),
    subjectName: der.subarray(subject.offset, subject.end).toString('hex'),
    spki: der.subarray(spki.offset, spki.end),
  };
}

const sha256 = (data) => createHash('sha256').update(data).digest();

/** The record key of a passed check (the same bytes as `signatureCheckKey` in src/prechecked.ts). */
const checkKey = (scheme, spki, data, signature) =>
  sha256(
    Buffer.concat([Buffer.from(`${scheme}:`), sha256(spki), sha256(data), sha256(signature)]),
  ).toString('hex');

const passedChecks = [];
const failedChecks = [];
for (const field of ['certificateAuthorities', 'timestampAuthorities']) {
  for (const [a, authority] of (trustedRoot[field] ?? []).entries()) {
    const ders = authority.certChain.certificates.map((c) => Buffer.from(c.rawBytes, 'base64'));
    const certs = ders.map((der) => ({
      der,
      x509: new X509Certificate(der),
      ...certificateParts(der),
    }));
    for (const [i, cert] of certs.entries()) {
      const signers = [];
      if (cert.issuerName === cert.subjectName) signers.push(cert); // self-issued: own key
      if (certs[i + 1]) signers.push(certs[i + 1]); // the next certificate of the chain
      for (const signer of signers) {
        const where = `${field}[${a}] certificate ${i} by ${signer === cert ? 'itself' : `certificate ${i + 1}`}`;
        if (cert.scheme && cert.x509.verify(signer.x509.publicKey)) {
          passedChecks.push(checkKey(cert.scheme, signer.spki, cert.tbs, cert.signature));
        } else {
          failedChecks.push(where);
        }
      }
    }
  }
}
if (failedChecks.length > 0) {
  // Not fatal here: the parser then verifies those signatures at load, as for any root, and
  // refuses the root if one is a real chain link that does not verify.
  console.warn(`public-good root: not recorded as passed: ${failedChecks.join('; ')}`);
}

const outDir = join(here, '..', 'src', 'generated');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'public-good.ts'),
  `// Generated by scripts/generate-public-good.mjs from @sigstore/tuf ${tufVersion} seeds.json. Do not edit.
export const PUBLIC_GOOD_SOURCE = ${JSON.stringify(`@sigstore/tuf@${tufVersion} seeds.json (${mirror})`)};
export const PUBLIC_GOOD_TRUSTED_ROOT_JSON: string = ${JSON.stringify(JSON.stringify(trustedRoot))};
/** Certificate signature checks of the root that node:crypto passed at build time (see src/prechecked.ts). */
export const PUBLIC_GOOD_PASSED_CHECKS: readonly string[] = ${JSON.stringify(passedChecks)};
`,
);
console.log(
  `public-good trusted root written from @sigstore/tuf ${tufVersion} (${passedChecks.length} certificate signature checks recorded)`,
);

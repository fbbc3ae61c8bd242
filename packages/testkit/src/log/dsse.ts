import type { SignOptions, TestKey } from '../keys.js';

/** A DSSE envelope as it appears in Sigstore bundles and Rekor requests (base64 fields). */
export interface DsseEnvelopeJson {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** DSSE v1 pre-authentication encoding `DSSEv1 SP len(type) SP type SP len(body) SP body`. */
export function dssePae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  const head = utf8(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

export interface DsseSigner {
  key: TestKey;
  keyid?: string;
  options?: SignOptions;
}

/** Sign `payload` with each signer over the PAE and return the envelope. */
export function signDsseEnvelope(
  payloadType: string,
  payload: Uint8Array,
  signers: readonly (TestKey | DsseSigner)[],
): DsseEnvelopeJson {
  const pae = dssePae(payloadType, payload);
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: signers.map((s) => {
      const signer: DsseSigner = 'key' in s ? s : { key: s };
      const sig = Buffer.from(signer.key.sign(pae, signer.options)).toString('base64');
      return signer.keyid === undefined ? { sig } : { keyid: signer.keyid, sig };
    }),
  };
}

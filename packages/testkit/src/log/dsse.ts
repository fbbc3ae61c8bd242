import { preAuthEncoding as dssePae } from '@flareo/internal/dsse';
import type { SignOptions, TestKey } from '../keys.js';

/** A DSSE envelope as it appears in Sigstore bundles and Rekor requests (base64 fields). */
export interface DsseEnvelopeJson {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

/** DSSE v1 pre-authentication encoding: `@flareo/internal`'s, the one the packages use. */
export { dssePae };

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

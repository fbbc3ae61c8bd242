// `@flareo/trust-root/x509`: the one DER reader and X.509 certificate view of the Flareo
// packages. Pure JavaScript (no `node:` import, no `Buffer`): verifiers in every runtime use it.

export { OID } from '../der/oids.js';
export type { BitString, DerErrorCode, Tlv } from '../der/reader.js';
export {
  children,
  contentOf,
  DerError,
  decodeOid,
  encodeHeader,
  encodingOf,
  equalBytes,
  expectTag,
  readBitString,
  readBoolean,
  readInteger,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  readTlv,
  readWhole,
  TAG,
  toHex,
} from '../der/reader.js';
export type {
  CertificateExtension,
  CertificateLayout,
  CertificateView,
  KeyUsageName,
  SubjectAlternativeNames,
} from './certificate.js';
export { parseCertificate } from './certificate.js';
export { formatName } from './name.js';

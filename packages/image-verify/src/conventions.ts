/**
 * `@flareo/image-verify/conventions`: how cosign and OCI 1.1 name and store signatures
 * (media types, annotations, the `.sig` and referrers tag schemes, the OCI layout ref-name
 * annotation) and the parser of a registry's `WWW-Authenticate` challenge, for tools that
 * publish or inspect signatures themselves. Verifying an image needs only the main entry.
 */
export type { AuthChallenge } from './challenge.js';
export { parseWwwAuthenticate } from './challenge.js';
export { REF_NAME_ANNOTATION } from './layout.js';
export {
  COSIGN_ANNOTATIONS,
  COSIGN_SIGNATURE_TYPE,
  MEDIA_TYPES,
  referrersTag,
  signatureTag,
} from './oci.js';

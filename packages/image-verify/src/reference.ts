import { ImageVerifyError } from './errors.js';

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host (and port) as written, `docker.io` when omitted. */
  readonly registry: string;
  /** The host the distribution API is served from (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  /** Repository path, `library/` added for official Docker Hub images. */
  readonly repository: string;
  /** The tag, when given (`latest` is not assumed when a digest is given). */
  readonly tag?: string;
  /** The digest, when given. */
  readonly digest?: string;
  /** The canonical text `registry/repository[:tag][@digest]`. */
  readonly canonical: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

function invalid(reference: string, why: string): never {
  throw new ImageVerifyError(
    'REFERENCE_INVALID',
    `invalid image reference "${reference}": ${why}`,
    {
      actual: reference,
      expected: 'registry/repository[:tag][@sha256:<hex>]',
    },
  );
}

/**
 * Parse `registry/repository[:tag][@digest]` with Docker's defaults (`docker.io`,
 * `library/`, `latest` when neither tag nor digest is given).
 *
 * Hand-written on purpose: the grammar (distribution's reference regexps) is a few lines, the
 * maintained parsers are Go, and the npm ports pull in unrelated Docker tooling.
 */
export function parseImageReference(reference: string): ImageReference {
  if (typeof reference !== 'string' || reference.length === 0) invalid(String(reference), 'empty');
  if (reference.length > 512) invalid(reference.slice(0, 64), 'longer than 512 characters');
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      invalid(reference, 'the digest must be sha256:<64 hex> or sha512:<128 hex>');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) invalid(reference, `bad tag "${tag}"`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
  ) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) invalid(reference, `bad registry host "${registry}"`);
  }
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const part of parts) {
    if (!COMPONENT.test(part)) invalid(reference, `bad repository component "${part}"`);
  }
  const repository = parts.join('/');
  if (repository.length > 255) invalid(reference, 'repository longer than 255 characters');
  if (tag === undefined && digest === undefined) tag = 'latest';
  const apiHost = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  const canonical = `${registry}/${repository}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
  return {
    registry,
    apiHost,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    canonical,
  };
}

/** True for `localhost`, `127.0.0.0/8` and `[::1]` hosts (with or without a port). */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return (
    name === 'localhost' ||
    name === '[::1]' ||
    (name !== undefined && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name))
  );
}

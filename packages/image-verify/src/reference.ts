import {
  DOCKER_HUB,
  formatImageReference,
  MAX_REFERENCE_LENGTH,
  parseImageReference as parseReference,
} from '@flareo/internal/image-reference';
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
 * `library/`, `latest` when neither tag nor digest is given): the strict mode of the shared
 * parser (`@flareo/internal/image-reference`), with this package's error and the host the
 * distribution API is served from.
 */
export function parseImageReference(reference: string): ImageReference {
  if (typeof reference !== 'string') invalid(String(reference), 'empty');
  const parsed = parseReference(reference, 'strict');
  if (!parsed.ok) {
    const shown = reference.length > MAX_REFERENCE_LENGTH ? reference.slice(0, 64) : reference;
    invalid(shown, parsed.reason);
  }
  const { registry } = parsed.reference;
  return {
    ...parsed.reference,
    apiHost: registry === DOCKER_HUB ? 'registry-1.docker.io' : registry,
    canonical: formatImageReference(parsed.reference),
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

import { createHash } from 'node:crypto';
import { isLoopbackHost, parseImageReference, type RegistryAuth } from '@flareo/image-verify';
import {
  COSIGN_ANNOTATIONS,
  MEDIA_TYPES,
  parseWwwAuthenticate,
} from '@flareo/image-verify/conventions';
import { CatalogError } from './errors.js';
import type { AttestationCandidate } from './parts.js';

// cosign's classic attestation scheme: `cosign attest` (without --new-bundle-format) pushes the
// image's attestations as the layers of one manifest tagged `sha256-<hex>.att`; each layer is a
// DSSE envelope (`application/vnd.dsse.envelope.v1+json`) whose certificate, chain and Rekor
// bundle are `dev.sigstore.cosign/*` annotations of the layer. @flareo/image-verify reads
// cosign's `.sig` tag and Sigstore bundle referrers but not this tag, so the catalog reads it
// here: one manifest by tag and its DSSE blobs, each checked against its digest and size. Each
// layer becomes a legacy cosign bundle (the envelope in `base64Signature`, `cert`, `rekorBundle`),
// the form `cosign attest-blob --bundle` writes, which @flareo/bundle-verify verifies.

/** Media type of a DSSE envelope layer of a cosign `.att` manifest. */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

/** The tag cosign stores an image's attestations under: `sha256-<hex>.att`. */
export const attestationTag = (digest: string) => `${digest.replace(':', '-')}.att`;

/** Largest `.att` manifest and largest envelope read, bytes (image-verify's defaults). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_BLOB_BYTES = 4 * 1024 * 1024;
/** Most DSSE layers read from one `.att` manifest (image-verify's signature limit). */
const MAX_LAYERS = 64;

/** Options of {@link collectAttestationTag}: those of the registry signature source. */
export interface AttestationTagOptions {
  readonly plainHttp?: boolean;
  readonly auth?: RegistryAuth;
  readonly timeoutMs?: number;
}

interface Layer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations: Readonly<Record<string, string>>;
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A `.att` layer as the legacy cosign bundle that carries the same evidence. */
export function legacyBundleOfLayer(
  envelope: Uint8Array,
  annotations: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const json = (text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // kept as is: bundle-verify refuses it as malformed, naming the field
    }
  };
  const certificate = annotations[COSIGN_ANNOTATIONS.certificate];
  const chain = annotations[COSIGN_ANNOTATIONS.chain];
  const cert = certificate
    ? `${certificate.trimEnd()}\n${chain ? `${chain.trimEnd()}\n` : ''}`
    : undefined;
  const rekorBundle = json(annotations[COSIGN_ANNOTATIONS.bundle]);
  const rfc3161Timestamp = json(annotations[COSIGN_ANNOTATIONS.timestamp]);
  return {
    base64Signature: Buffer.from(envelope).toString('base64'),
    ...(cert === undefined ? {} : { cert }),
    ...(rekorBundle === undefined ? {} : { rekorBundle }),
    ...(rfc3161Timestamp === undefined ? {} : { rfc3161Timestamp }),
  };
}

/**
 * Read the `sha256-<hex>.att` manifest of `<image>@<digest>` and return each DSSE layer as an
 * {@link AttestationCandidate} (not verified: the parts' verification does that). No tag, no
 * candidates. Throws `REGISTRY_UNAVAILABLE` (`reason` `REGISTRY_ERROR` or `AUTH_FAILED`) when the
 * registry cannot be read, `ATTESTATION_REJECTED` (`reason` `ATTESTATION_TAG_INVALID`) for a
 * manifest or blob that is not what it must be, `ARGUMENT_INVALID` for plain HTTP to a host that
 * is not loopback.
 */
export async function collectAttestationTag(
  image: string,
  digest: string,
  slug: string,
  options: AttestationTagOptions = {},
): Promise<AttestationCandidate[]> {
  const ref = parseImageReference(`${image}@${digest}`);
  if (options.plainHttp && !isLoopbackHost(ref.apiHost)) {
    throw new CatalogError(
      'ARGUMENT_INVALID',
      `${ref.apiHost}: plain HTTP is only for loopback registries`,
      { slug, expected: 'localhost, 127.0.0.0/8 or [::1]', actual: ref.apiHost },
    );
  }
  const tag = attestationTag(digest);
  const base = `${options.plainHttp ? 'http' : 'https'}://${ref.apiHost}`;
  const unavailable = (reason: string, message: string, cause?: unknown) =>
    new CatalogError(
      'REGISTRY_UNAVAILABLE',
      `${ref.repository}:${tag}: ${message}`,
      { slug, reason },
      cause === undefined ? {} : { cause },
    );
  const invalid = (message: string, extra: Record<string, unknown> = {}) =>
    new CatalogError('ATTESTATION_REJECTED', `${ref.repository}:${tag}: ${message}`, {
      slug,
      reason: 'ATTESTATION_TAG_INVALID',
      ...extra,
    });

  let authorization =
    options.auth && 'token' in options.auth ? `Bearer ${options.auth.token}` : undefined;
  const send = async (url: string, accept: string | undefined, auth: string | undefined) => {
    try {
      return await fetch(url, {
        headers: {
          'user-agent': 'flareo-catalog',
          ...(accept ? { accept } : {}),
          ...(auth ? { authorization: auth } : {}),
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw unavailable('REGISTRY_ERROR', `GET ${url} failed: ${(error as Error).message}`, error);
    }
  };
  const read = async (response: Response, url: string, max: number) => {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > max) throw invalid(`${url}: more than ${max} bytes`, { expected: max });
    return bytes;
  };
  // Answer one auth challenge the way image-verify does: a bearer token from the registry's
  // token service (with the Basic credentials, when given), or Basic credentials.
  const authenticate = async (response: Response, url: string): Promise<string> => {
    const challenges = parseWwwAuthenticate(response.headers.get('www-authenticate') ?? '');
    const auth = options.auth;
    const basic =
      auth && 'username' in auth
        ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
        : undefined;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      if (auth && 'token' in auth)
        throw unavailable('AUTH_FAILED', 'the registry refused the token');
      let realm: URL;
      try {
        realm = new URL(bearer.params.realm);
      } catch (error) {
        throw unavailable('AUTH_FAILED', `bad token realm ${bearer.params.realm}`, error);
      }
      const loopbackHttp =
        realm.protocol === 'http:' && options.plainHttp === true && isLoopbackHost(realm.host);
      if (realm.protocol !== 'https:' && !loopbackHttp) {
        throw unavailable('AUTH_FAILED', `refusing token realm ${realm.origin}: not HTTPS`);
      }
      if (bearer.params.service !== undefined)
        realm.searchParams.set('service', bearer.params.service);
      realm.searchParams.set('scope', bearer.params.scope ?? `repository:${ref.repository}:pull`);
      const answer = await send(realm.href, 'application/json', basic);
      const body = await read(answer, realm.href, 64 * 1024);
      let token: unknown;
      try {
        const json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
        token = json.token ?? json.access_token;
      } catch {
        token = undefined;
      }
      if (answer.status !== 200 || typeof token !== 'string' || token === '') {
        throw unavailable('AUTH_FAILED', `token service ${realm.origin} answered ${answer.status}`);
      }
      return `Bearer ${token}`;
    }
    if (basic && challenges.some((c) => c.scheme === 'basic')) return basic;
    throw unavailable('AUTH_FAILED', `${url} answered 401 and no credentials fit`);
  };
  const get = async (path: string, accept?: string): Promise<Response> => {
    const url = `${base}/v2/${path}`;
    let response = await send(url, accept, authorization);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      authorization = await authenticate(response, url);
      response = await send(url, accept, authorization);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      throw unavailable('AUTH_FAILED', `${url}: HTTP ${response.status}`);
    }
    return response;
  };

  // The manifest, by tag: its digest is computed from the bytes served.
  const manifestPath = `${ref.repository}/manifests/${tag}`;
  const response = await get(
    manifestPath,
    [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', '),
  );
  if (response.status === 404) {
    await response.body?.cancel().catch(() => undefined);
    return [];
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw unavailable('REGISTRY_ERROR', `manifest: HTTP ${response.status}`);
  }
  const bytes = await read(response, manifestPath, MAX_MANIFEST_BYTES);
  const manifestDigest = sha256(bytes);
  const header = response.headers.get('docker-content-digest');
  if (header?.startsWith('sha256:') && header !== manifestDigest) {
    throw invalid(`Docker-Content-Digest ${header} is not the content's ${manifestDigest}`, {
      expected: header,
      actual: manifestDigest,
    });
  }
  let layers: Layer[];
  try {
    const manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as {
      layers?: unknown;
    };
    if (!Array.isArray(manifest.layers)) throw new Error('no layers array');
    layers = manifest.layers.map((l, i) => {
      const layer = l as Partial<Layer> | null;
      if (
        typeof layer?.mediaType !== 'string' ||
        typeof layer.digest !== 'string' ||
        !/^sha256:[0-9a-f]{64}$/.test(layer.digest) ||
        !Number.isSafeInteger(layer.size) ||
        (layer.size as number) < 0 ||
        (layer.annotations !== undefined &&
          (typeof layer.annotations !== 'object' ||
            layer.annotations === null ||
            Object.values(layer.annotations).some((v) => typeof v !== 'string')))
      ) {
        throw new Error(`layer ${i} is not a descriptor`);
      }
      return { ...(layer as Layer), annotations: layer.annotations ?? {} };
    });
  } catch (error) {
    throw invalid(`not an image manifest: ${(error as Error).message}`, {
      actual: manifestDigest,
    });
  }
  const dsse = layers
    .map((layer, index) => ({ layer, index }))
    .filter(({ layer }) => layer.mediaType === DSSE_ENVELOPE_MEDIA_TYPE);
  if (dsse.length > MAX_LAYERS) {
    throw invalid(`${dsse.length} attestation layers, more than ${MAX_LAYERS}`, {
      expected: MAX_LAYERS,
      actual: dsse.length,
    });
  }
  const candidates: AttestationCandidate[] = [];
  for (const { layer, index } of dsse) {
    if (layer.size > MAX_BLOB_BYTES) {
      throw invalid(`layer ${index} is ${layer.size} bytes`, { expected: MAX_BLOB_BYTES });
    }
    const blobPath = `${ref.repository}/blobs/${layer.digest}`;
    const blob = await get(blobPath);
    if (blob.status !== 200) {
      await blob.body?.cancel().catch(() => undefined);
      if (blob.status === 404) throw invalid(`layer ${index}: blob ${layer.digest} not found`);
      throw unavailable('REGISTRY_ERROR', `blob ${layer.digest}: HTTP ${blob.status}`);
    }
    const envelope = await read(blob, blobPath, MAX_BLOB_BYTES);
    const actual = sha256(envelope);
    if (actual !== layer.digest || envelope.length !== layer.size) {
      throw invalid(`layer ${index}: the registry served other content`, {
        expected: { digest: layer.digest, size: layer.size },
        actual: { digest: actual, size: envelope.length },
      });
    }
    candidates.push({
      bundle: legacyBundleOfLayer(envelope, layer.annotations),
      via: 'attestation-tag',
      manifest: manifestDigest,
      layer: index,
    });
  }
  return candidates;
}

import type { Dispatcher, fetch as undiciFetch } from 'undici';
import { parseWwwAuthenticate } from './challenge.js';
import {
  type CollectOptions,
  type ContentReader,
  collectFrom,
  type SignatureSource,
} from './collect.js';
import { ImageVerifyError } from './errors.js';
import {
  checkContent,
  type Descriptor,
  digestOf,
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  type ParsedManifest,
  parseManifest,
  resolveLimits,
  type SourceLimits,
} from './oci.js';
import { type ImageReference, isLoopbackHost, parseImageReference } from './reference.js';

/** Registry credentials. */
export type RegistryAuth =
  /** Basic credentials: sent as HTTP Basic when the registry asks for it, or to its token service. */
  | { readonly username: string; readonly password: string }
  /** A bearer token used as is (a registry access token you obtained yourself). */
  | { readonly token: string };

/** Options of {@link registrySource}. */
export interface RegistrySourceOptions {
  /** Credentials. Default none: anonymous (bearer tokens without credentials when challenged). */
  readonly auth?: RegistryAuth;
  /** The undici dispatcher (agent, proxy, mock). Default undici's global dispatcher. */
  readonly dispatcher?: Dispatcher;
  /** The fetch implementation. Default undici's `fetch`. */
  readonly fetch?: typeof undiciFetch;
  /** Timeout of each request, milliseconds. Default 30,000. */
  readonly timeoutMs?: number;
  /**
   * Speak plain HTTP instead of HTTPS. Only for loopback registries (`localhost`,
   * `127.0.0.0/8`, `[::1]`); refused for any other host. Default false.
   */
  readonly plainHttp?: boolean;
  /** Size and count limits. Defaults: {@link DEFAULT_SOURCE_LIMITS}. */
  readonly limits?: Partial<SourceLimits>;
  /** The `User-Agent` header. Default `flareo-image-verify`. */
  readonly userAgent?: string;
}

/**
 * undici's `fetch`, loaded on the first request a registry source sends rather than when this
 * package is imported: loading undici costs some 35 ms of a Node 20 process (measured in `flareo
 * verify-image`), which a program that verifies an OCI layout, or passes its own `fetch`,
 * never needs to pay.
 */
let defaultFetch: Promise<typeof undiciFetch> | undefined;
const loadDefaultFetch = (): Promise<typeof undiciFetch> => {
  // undici is CommonJS: Node's `import()` gives its exports by name and as `default`, a
  // bundler's split chunk (esbuild's, for one) only as `default`. A failure to load it is the
  // request's failure: REGISTRY_ERROR, from the `try` around the call (see #send).
  defaultFetch ??= import('undici').then((undici) => (undici.default ?? undici).fetch);
  return defaultFetch;
};

interface FetchedBody {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
}

/** Most pages of a paginated referrers list that are followed. */
const MAX_REFERRER_PAGES = 64;

/**
 * The path of a `Link: <…>; rel="next"` pagination header (distribution spec), or undefined.
 * Only same-host links are followed: the path is kept, any scheme and host are dropped.
 */
export function nextPage(link: string | null): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  if (!m) return undefined;
  try {
    const url = new URL(m[1] as string, 'http://registry.invalid');
    return url.pathname.startsWith('/v2/') ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}

class RegistryReader implements ContentReader {
  readonly limits: SourceLimits;
  readonly #ref: ImageReference;
  readonly #base: string;
  readonly #options: RegistrySourceOptions;
  readonly #fetch: typeof undiciFetch | undefined;
  #authorization: string | undefined;

  constructor(ref: ImageReference, options: RegistrySourceOptions, limits: SourceLimits) {
    this.#ref = ref;
    this.#options = options;
    this.limits = limits;
    this.#fetch = options.fetch;
    this.#base = `${options.plainHttp ? 'http' : 'https'}://${ref.apiHost}`;
    if (options.auth && 'token' in options.auth) {
      this.#authorization = `Bearer ${options.auth.token}`;
    }
  }

  async #send(url: string, accept: string | undefined, authorization: string | undefined) {
    const headers: Record<string, string> = {
      'user-agent': this.#options.userAgent ?? 'flareo-image-verify',
    };
    if (accept) headers.accept = accept;
    if (authorization) headers.authorization = authorization;
    try {
      const fetch = this.#fetch ?? (await loadDefaultFetch());
      return await fetch(url, {
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
        ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
      });
    } catch (cause) {
      throw new ImageVerifyError(
        'REGISTRY_ERROR',
        `GET ${url} failed: ${(cause as Error)?.message ?? String(cause)}`,
        { location: url },
        { cause },
      );
    }
  }

  async #readBody(response: Response, url: string, maxBytes: number): Promise<Uint8Array> {
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ImageVerifyError(
        'LIMIT_EXCEEDED',
        `${url}: ${declared} bytes, more than ${maxBytes}`,
        {
          location: url,
          expected: maxBytes,
          actual: declared,
        },
      );
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new ImageVerifyError('LIMIT_EXCEEDED', `${url}: more than ${maxBytes} bytes`, {
            location: url,
            expected: maxBytes,
            actual: total,
          });
        }
        chunks.push(value);
      }
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  /** Answer an auth challenge: a bearer token from the token service, or Basic credentials. */
  async #authenticate(response: Response, url: string): Promise<string> {
    const header = response.headers.get('www-authenticate') ?? '';
    const challenges = parseWwwAuthenticate(header);
    const auth = this.#options.auth;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      if (auth && 'token' in auth) {
        throw new ImageVerifyError(
          'AUTH_FAILED',
          `the registry refused the given token for ${url}`,
          {
            location: url,
            status: response.status,
          },
        );
      }
      return `Bearer ${await this.#token(bearer.params, url)}`;
    }
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (basic && auth && 'username' in auth) {
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    throw new ImageVerifyError(
      'AUTH_FAILED',
      basic
        ? `${url} requires Basic credentials and none were given`
        : `${url} answered 401 without a usable challenge (${JSON.stringify(header)})`,
      { location: url, status: response.status, actual: header },
    );
  }

  async #token(params: Readonly<Record<string, string>>, url: string): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(params.realm as string);
    } catch (cause) {
      throw new ImageVerifyError(
        'AUTH_FAILED',
        `bad token realm ${params.realm}`,
        { location: url },
        { cause },
      );
    }
    const loopbackHttp =
      realm.protocol === 'http:' && this.#options.plainHttp === true && isLoopbackHost(realm.host);
    if (realm.protocol !== 'https:' && !loopbackHttp) {
      throw new ImageVerifyError('AUTH_FAILED', `refusing token realm ${realm.origin}: not HTTPS`, {
        location: url,
        actual: realm.href,
      });
    }
    if (params.service !== undefined) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${this.#ref.repository}:pull`);
    const auth = this.#options.auth;
    const basic =
      auth && 'username' in auth
        ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
        : undefined;
    const response = await this.#send(realm.href, 'application/json', basic);
    const body = await this.#readBody(response, realm.href, 64 * 1024);
    if (response.status !== 200) {
      throw new ImageVerifyError(
        'AUTH_FAILED',
        `token service ${realm.origin} answered ${response.status}`,
        {
          location: realm.origin,
          status: response.status,
        },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch (cause) {
      throw new ImageVerifyError(
        'AUTH_FAILED',
        'the token service answered non-JSON',
        { location: realm.origin },
        { cause },
      );
    }
    const token =
      (json as { token?: unknown }).token ?? (json as { access_token?: unknown }).access_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new ImageVerifyError('AUTH_FAILED', 'the token service answered without a token', {
        location: realm.origin,
      });
    }
    return token;
  }

  /** GET a registry path, answering one auth challenge; statuses other than 401 are returned. */
  async #get(path: string, accept: string | undefined, maxBytes: number): Promise<FetchedBody> {
    // `path` is relative to /v2/, or an absolute path (a pagination link) on the same host.
    const url = path.startsWith('/') ? `${this.#base}${path}` : `${this.#base}/v2/${path}`;
    let response = await this.#send(url, accept, this.#authorization);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      this.#authorization = await this.#authenticate(response, url);
      response = await this.#send(url, accept, this.#authorization);
      if (response.status === 401) {
        await response.body?.cancel().catch(() => undefined);
        throw new ImageVerifyError('AUTH_FAILED', `${url}: still 401 after authenticating`, {
          location: url,
          status: 401,
        });
      }
    }
    if (response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      throw new ImageVerifyError('AUTH_FAILED', `${url}: access denied (403)`, {
        location: url,
        status: 403,
      });
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, headers: response.headers, bytes: new Uint8Array() };
    }
    return {
      status: 200,
      headers: response.headers,
      bytes: await this.#readBody(response, url, maxBytes),
    };
  }

  #unexpected(status: number, what: string): ImageVerifyError {
    return new ImageVerifyError('REGISTRY_ERROR', `${what}: HTTP ${status}`, {
      location: what,
      status,
    });
  }

  /** A manifest by tag or digest; undefined on 404. The digest is computed and cross-checked. */
  async fetchManifest(
    reference: string,
    expectedDigest?: string,
  ): Promise<ParsedManifest | undefined> {
    const path = `${this.#ref.repository}/manifests/${reference}`;
    const got = await this.#get(path, MANIFEST_ACCEPT, this.limits.maxManifestBytes);
    if (got.status === 404) return undefined;
    if (got.status !== 200) throw this.#unexpected(got.status, `manifest ${reference}`);
    const digest = digestOf(got.bytes, expectedDigest ?? 'sha256:');
    if (expectedDigest !== undefined && digest !== expectedDigest) {
      throw new ImageVerifyError(
        'BLOB_DIGEST_MISMATCH',
        `manifest ${reference}: the registry served content with digest ${digest}`,
        { location: reference, expected: expectedDigest, actual: digest },
      );
    }
    const header = got.headers.get('docker-content-digest');
    if (header?.startsWith(digest.slice(0, 7)) && header !== digest) {
      throw new ImageVerifyError(
        'BLOB_DIGEST_MISMATCH',
        `manifest ${reference}: Docker-Content-Digest ${header} is not the content's ${digest}`,
        { location: reference, expected: header, actual: digest },
      );
    }
    return parseManifest(
      got.bytes,
      digest,
      got.headers.get('content-type') ?? undefined,
      this.limits,
      `manifest ${reference}`,
    );
  }

  manifestByTag(tag: string): Promise<ParsedManifest | undefined> {
    return this.fetchManifest(tag);
  }

  async manifest(descriptor: Descriptor, location: string): Promise<ParsedManifest> {
    if (descriptor.size > this.limits.maxManifestBytes) {
      throw new ImageVerifyError('LIMIT_EXCEEDED', `${location} is ${descriptor.size} bytes`, {
        location,
        expected: this.limits.maxManifestBytes,
        actual: descriptor.size,
      });
    }
    const manifest = await this.fetchManifest(descriptor.digest, descriptor.digest);
    if (!manifest) {
      throw new ImageVerifyError('IMAGE_NOT_FOUND', `${location}: ${descriptor.digest} not found`, {
        location,
        expected: descriptor.digest,
      });
    }
    checkContent(manifest.bytes, descriptor, location);
    return manifest;
  }

  async blob(descriptor: Descriptor, location: string): Promise<Uint8Array> {
    if (descriptor.size > this.limits.maxBlobBytes) {
      throw new ImageVerifyError('LIMIT_EXCEEDED', `${location} is ${descriptor.size} bytes`, {
        location,
        expected: this.limits.maxBlobBytes,
        actual: descriptor.size,
      });
    }
    const got = await this.#get(
      `${this.#ref.repository}/blobs/${descriptor.digest}`,
      undefined,
      this.limits.maxBlobBytes,
    );
    if (got.status === 404) {
      throw new ImageVerifyError(
        'IMAGE_NOT_FOUND',
        `${location}: blob ${descriptor.digest} not found`,
        {
          location,
          expected: descriptor.digest,
        },
      );
    }
    if (got.status !== 200) throw this.#unexpected(got.status, `blob ${descriptor.digest}`);
    checkContent(got.bytes, descriptor, location);
    return got.bytes;
  }

  async referrersApi(digest: string): Promise<readonly Descriptor[] | undefined> {
    const all: Descriptor[] = [];
    let path: string | undefined = `${this.#ref.repository}/referrers/${digest}`;
    for (let page = 0; path !== undefined; page++) {
      if (page >= MAX_REFERRER_PAGES) {
        throw new ImageVerifyError(
          'LIMIT_EXCEEDED',
          `referrers of ${digest}: more than ${MAX_REFERRER_PAGES} pages`,
          { location: `referrers of ${digest}`, expected: MAX_REFERRER_PAGES },
        );
      }
      const got = await this.#get(path, MEDIA_TYPES.ociIndex, this.limits.maxManifestBytes);
      if (got.status !== 200) {
        // Registries without the API answer 404 (the spec's signal to use the fallback tag);
        // some answer 400, 405 or 501.
        if (page === 0 && [400, 404, 405, 406, 501].includes(got.status)) return undefined;
        throw this.#unexpected(got.status, `referrers of ${digest}`);
      }
      const type = got.headers.get('content-type')?.split(';')[0]?.trim();
      if (type !== MEDIA_TYPES.ociIndex) {
        if (page === 0) return undefined;
        throw new ImageVerifyError(
          'MANIFEST_INVALID',
          `referrers page ${page + 1} is not an index`,
          {
            location: `referrers of ${digest}`,
            expected: MEDIA_TYPES.ociIndex,
            actual: type,
          },
        );
      }
      const index = parseManifest(
        got.bytes,
        digestOf(got.bytes),
        type,
        this.limits,
        `referrers of ${digest}`,
      );
      all.push(...index.manifests);
      if (all.length > this.limits.maxDescriptors) {
        throw new ImageVerifyError(
          'LIMIT_EXCEEDED',
          `more than ${this.limits.maxDescriptors} referrers of ${digest}`,
          { location: `referrers of ${digest}`, expected: this.limits.maxDescriptors },
        );
      }
      path = nextPage(got.headers.get('link'));
    }
    return all;
  }
}

/**
 * A {@link SignatureSource} reading an image and its signatures from a registry over the OCI
 * distribution API: the manifest (by digest, or by tag then pinned to the digest served), the
 * `sha256-<hex>.sig` signature manifest and its payload blobs, and Sigstore bundle referrers
 * through `/v2/<name>/referrers/<digest>` or its `sha256-<hex>` tag-schema fallback. Every
 * manifest and blob is checked against its digest. Anonymous access, bearer tokens from the
 * registry's `WWW-Authenticate` challenge (with or without credentials) and Basic auth.
 * This is the only place in the package that performs network I/O.
 */
export function registrySource(
  reference: string | ImageReference,
  options: RegistrySourceOptions = {},
): SignatureSource {
  const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
  if (options.plainHttp && !isLoopbackHost(ref.apiHost)) {
    throw new ImageVerifyError(
      'ARGUMENT_INVALID',
      `plainHttp is only allowed for loopback registries, not ${ref.apiHost}`,
      { expected: 'localhost, 127.0.0.0/8 or [::1]', actual: ref.apiHost },
    );
  }
  const limits = resolveLimits(options.limits);
  return {
    description: ref.canonical,
    async collect(collectOptions?: CollectOptions) {
      const reader = new RegistryReader(ref, options, limits);
      const target = ref.digest ?? (ref.tag as string);
      const manifest = await reader.fetchManifest(target, ref.digest);
      if (!manifest) {
        throw new ImageVerifyError('IMAGE_NOT_FOUND', `${ref.canonical} not found`, {
          expected: ref.canonical,
          status: 404,
        });
      }
      return collectFrom(reader, manifest, ref.canonical, collectOptions);
    },
  };
}

import type { OciStore } from './store.js';

/** Options of {@link OciPushClient}. */
export interface OciPushClientOptions {
  /** Registry base URL, e.g. `http://127.0.0.1:5000`. */
  readonly baseUrl: string;
  /** Extra request headers (for example `Authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * A tiny OCI distribution client for tests: monolithic blob uploads (POST then PUT with the
 * digest) and manifest PUTs by digest and by tag. No retries, no chunking: enough to fill a
 * loopback registry with what the test kit built.
 */
export class OciPushClient {
  readonly #base: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #fetch: typeof fetch;

  constructor(options: OciPushClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#headers = options.headers ?? {};
    this.#fetch = options.fetch ?? fetch;
  }

  async #request(url: string, init: RequestInit, expected: number[]): Promise<Response> {
    const response = await this.#fetch(url, {
      ...init,
      headers: { ...this.#headers, ...(init.headers as Record<string, string> | undefined) },
    });
    if (!expected.includes(response.status)) {
      const text = await response.text().catch(() => '');
      throw new Error(
        `${init.method ?? 'GET'} ${url}: HTTP ${response.status} (expected ${expected.join('/')}) ${text}`,
      );
    }
    return response;
  }

  /** Upload one blob unless the registry already has it. */
  async pushBlob(repository: string, digest: string, bytes: Uint8Array): Promise<void> {
    const head = await this.#fetch(`${this.#base}/v2/${repository}/blobs/${digest}`, {
      method: 'HEAD',
      headers: this.#headers,
    });
    if (head.status === 200) return;
    const start = await this.#request(
      `${this.#base}/v2/${repository}/blobs/uploads/`,
      { method: 'POST' },
      [202],
    );
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (!location) throw new Error('upload session without Location');
    const url = new URL(location, `${this.#base}/`);
    url.searchParams.set('digest', digest);
    const put = await this.#request(
      url.toString(),
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      },
      [201],
    );
    await put.arrayBuffer();
  }

  /** PUT a manifest under a reference (digest or tag). */
  async pushManifest(
    repository: string,
    reference: string,
    mediaType: string,
    bytes: Uint8Array,
  ): Promise<void> {
    const response = await this.#request(
      `${this.#base}/v2/${repository}/manifests/${reference}`,
      { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes },
      [201],
    );
    await response.arrayBuffer();
  }

  /**
   * Push a whole store to a repository: blobs first, then manifests by digest in the order
   * they were added (children before the indexes and referrers that name them), then tags.
   */
  async pushStore(repository: string, store: OciStore): Promise<void> {
    for (const [digest, blob] of store.blobs) {
      if (store.manifests.has(digest)) continue;
      await this.pushBlob(repository, digest, blob.bytes);
    }
    for (const digest of store.manifests) {
      const blob = store.blobs.get(digest);
      if (!blob) continue;
      await this.pushManifest(repository, digest, blob.mediaType, blob.bytes);
    }
    for (const [tag, digest] of store.tags) {
      const blob = store.blobs.get(digest);
      if (!blob) continue;
      await this.pushManifest(repository, tag, blob.mediaType, blob.bytes);
    }
  }
}

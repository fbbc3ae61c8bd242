import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fetcher } from 'tuf-js';
import { DownloadHTTPError, DownloadLengthMismatchError } from 'tuf-js/dist/error.js';

/** Why the last download failed, as seen by the transport (before tuf-js wraps anything). */
export type DownloadFailure =
  | { readonly kind: 'http'; readonly url: string; readonly status: number }
  | { readonly kind: 'too-large'; readonly url: string; readonly limit: number }
  | { readonly kind: 'timeout'; readonly url: string; readonly timeoutMs: number }
  | { readonly kind: 'network'; readonly url: string; readonly error: unknown };

/** Options of {@link BoundedFetcher}. */
export interface BoundedFetcherOptions {
  /** Time allowed for one file, from the request to its last byte, in milliseconds. */
  readonly timeoutMs: number;
  /** Directory for the transient files tuf-js asks for (inside the update's staging area). */
  readonly scratchDir: string;
  /** `User-Agent` header. */
  readonly userAgent: string;
}

/**
 * The transport tuf-js uses for one update. tuf-js's own fetcher retries, writes to the
 * system temporary directory and reports only "failed to download"; this one is written here
 * (tuf-js's documented `Fetcher` extension point, not a TUF implementation) so that:
 * - every file is read with its size bound enforced while streaming (the endless-data
 *   attack costs at most the bound), within one deadline per file (a slow mirror cannot hang
 *   an update), and a single attempt (an update is rerun, not retried in a loop);
 * - nothing is written outside the update's staging directory, so an interrupted update
 *   leaves no stray files elsewhere;
 * - the reason of the last failed download is kept ({@link lastFailure}) for the typed error,
 *   since tuf-js wraps some failures in a generic RuntimeError.
 */
export class BoundedFetcher implements Fetcher {
  /** The last download that failed, if the most recent download failed; `undefined` otherwise. */
  lastFailure: DownloadFailure | undefined;
  /** The URL of the most recent download. */
  lastUrl: string | undefined;
  /** Bytes received in total, for reports. */
  bytesReceived = 0;

  constructor(private readonly options: BoundedFetcherOptions) {}

  async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    this.lastUrl = url;
    this.lastFailure = undefined;
    try {
      return await this.read(url, maxLength);
    } catch (error) {
      this.lastFailure ??= { kind: 'network', url, error };
      throw error;
    }
  }

  async downloadFile<T>(
    url: string,
    maxLength: number,
    handler: (file: string) => Promise<T>,
  ): Promise<T> {
    const bytes = await this.downloadBytes(url, maxLength);
    const file = join(this.options.scratchDir, `download-${randomBytes(8).toString('hex')}`);
    writeFileSync(file, bytes);
    try {
      return await handler(file);
    } finally {
      rmSync(file, { force: true });
    }
  }

  private async read(url: string, maxLength: number): Promise<Buffer> {
    const { timeoutMs, userAgent } = this.options;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { 'user-agent': userAgent, accept: 'application/json, */*' },
          signal: controller.signal,
        });
      } catch (error) {
        throw this.transportError(url, error, controller.signal.aborted);
      }
      if (!response.ok || response.body === null) {
        this.lastFailure = { kind: 'http', url, status: response.status };
        await response.body?.cancel().catch(() => undefined);
        // tuf-js reads 403/404 of `N+1.root.json` as "no newer root"; it needs its own class.
        throw new DownloadHTTPError(`HTTP ${response.status} from ${url}`, response.status);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > maxLength) {
        await response.body.cancel().catch(() => undefined);
        throw this.tooLarge(url, maxLength);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = response.body.getReader();
      try {
        for (;;) {
          let step: Awaited<ReturnType<typeof reader.read>>;
          try {
            step = await reader.read();
          } catch (error) {
            throw this.transportError(url, error, controller.signal.aborted);
          }
          if (step.done) break;
          total += step.value.byteLength;
          this.bytesReceived += step.value.byteLength;
          if (total > maxLength) {
            await reader.cancel().catch(() => undefined);
            throw this.tooLarge(url, maxLength);
          }
          chunks.push(step.value);
        }
      } finally {
        reader.releaseLock();
      }
      return Buffer.concat(chunks, total);
    } finally {
      clearTimeout(timer);
    }
  }

  private tooLarge(url: string, limit: number): Error {
    this.lastFailure = { kind: 'too-large', url, limit };
    return new DownloadLengthMismatchError(`${url} is longer than the ${limit} bytes allowed`);
  }

  private transportError(url: string, error: unknown, aborted: boolean): Error {
    const { timeoutMs } = this.options;
    this.lastFailure = aborted
      ? { kind: 'timeout', url, timeoutMs }
      : { kind: 'network', url, error };
    const reason = error instanceof Error ? (error.cause ?? error) : error;
    return new Error(
      aborted
        ? `${url} did not answer completely within ${timeoutMs} ms`
        : `${url} could not be fetched: ${reason instanceof Error ? reason.message : String(reason)}`,
      { cause: error },
    );
  }
}

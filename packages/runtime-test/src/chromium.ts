import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import type { RuntimeBundle } from './bundle.js';
import type { CaseResult } from './cases.js';
import { RuntimeTestError } from './errors.js';
import { parseResults } from './results.js';

/** Options of {@link ChromiumRunner.start}. */
export interface ChromiumOptions {
  /** The Chromium executable, e.g. Debian's `/usr/bin/chromium`. Required: nothing is downloaded. */
  readonly executablePath: string;
}

/** Options of {@link ChromiumRunner.run}. */
export interface ChromiumRunOptions {
  /** How long the page may take to load and report. Defaults to 30,000 ms. */
  readonly timeoutMs?: number | undefined;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>flareo runtime test</title></head><body></body></html>`;

/**
 * A headless Chromium driven by playwright-core, with a loopback HTTP server that serves each
 * bundle as an ES module next to an empty page. Start it once, run many bundles, close it.
 */
export class ChromiumRunner {
  readonly #browser: Browser;
  readonly #server: Server;
  readonly #origin: string;
  /** What the server serves, by path: the bundles of the runs in flight. */
  readonly #bundles: Map<string, string>;
  #next = 0;

  private constructor(
    browser: Browser,
    server: Server,
    origin: string,
    bundles: Map<string, string>,
  ) {
    this.#browser = browser;
    this.#server = server;
    this.#origin = origin;
    this.#bundles = bundles;
  }

  /**
   * Start the server and the browser.
   * @throws {RuntimeTestError} `RUNTIME_FAILED` when Chromium does not start.
   */
  static async start(options: ChromiumOptions): Promise<ChromiumRunner> {
    const bundles = new Map<string, string>();
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const code = bundles.get(path);
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      } else if (code !== undefined) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(code);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', ok);
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let browser: Browser;
    try {
      browser = await chromium.launch({
        executablePath: options.executablePath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
        ],
      });
    } catch (error) {
      server.close();
      throw new RuntimeTestError(
        'RUNTIME_FAILED',
        `Chromium (${options.executablePath}) did not start: ${(error as Error).message}`,
        { target: 'browser' },
        { cause: error },
      );
    }
    return new ChromiumRunner(browser, server, origin, bundles);
  }

  /** The browser's version string. */
  get version(): string {
    return this.#browser.version();
  }

  /**
   * Run a `browser` bundle of a case module in a fresh page and return its results.
   * @throws {RuntimeTestError} `RUNTIME_FAILED` when the page throws outside a case (an
   *   uncaught error, a failed import) or crashes, `RUNTIME_TIMEOUT`, `RESULTS_INVALID`.
   */
  async run(bundle: RuntimeBundle, options: ChromiumRunOptions = {}): Promise<CaseResult[]> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const path = `/bundle-${this.#next++}.js`;
    this.#bundles.set(path, bundle.code);
    const page = await this.#browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    let timer: NodeJS.Timeout | undefined;
    try {
      const crashed = new Promise<never>((_ok, fail) => {
        page.once('crash', () =>
          fail(
            new RuntimeTestError('RUNTIME_FAILED', 'the Chromium page crashed', {
              target: 'browser',
            }),
          ),
        );
      });
      const timeout = new Promise<never>((_ok, fail) => {
        timer = setTimeout(
          () =>
            fail(
              new RuntimeTestError(
                'RUNTIME_TIMEOUT',
                `Chromium gave no results within ${timeoutMs} ms`,
                {
                  target: 'browser',
                },
              ),
            ),
          timeoutMs,
        );
      });
      const work = (async () => {
        await page.goto(`${this.#origin}/`);
        // A string, not a function: vitest rewrites `import()` inside functions it loads.
        return page.evaluate(
          `import(${JSON.stringify(`${this.#origin}${path}`)}).then((m) => m.run())`,
        );
      })();
      // Once the race is lost (timeout, crash) the work's own failure is of no interest.
      work.catch(() => undefined);
      let results: unknown;
      try {
        results = await Promise.race([work, crashed, timeout]);
      } catch (error) {
        if (error instanceof RuntimeTestError) throw error;
        throw new RuntimeTestError(
          'RUNTIME_FAILED',
          `the bundle failed in Chromium: ${(error as Error).message}`,
          { target: 'browser', actual: pageErrors },
          { cause: error },
        );
      }
      if (pageErrors.length > 0) {
        throw new RuntimeTestError(
          'RUNTIME_FAILED',
          `uncaught errors in the Chromium page: ${pageErrors.join('; ')}`,
          { target: 'browser', actual: pageErrors },
        );
      }
      return parseResults(results, 'Chromium');
    } finally {
      clearTimeout(timer);
      this.#bundles.delete(path);
      await page.close().catch(() => undefined);
    }
  }

  /** Close the browser and the server. */
  async close(): Promise<void> {
    await this.#browser.close().catch(() => undefined);
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestTufRepository } from './repository.js';

/**
 * How the server answers one path instead of serving the repository's file:
 * - `{ status }`: that HTTP status, no body;
 * - `{ body }`: these bytes (a replayed, altered or foreign file);
 * - `{ endless: true }`: an endless stream of bytes (endless-data attack);
 * - `{ hang: true }`: headers and a first chunk, then nothing, never ending (a stalled
 *   mirror, or a process to kill mid-update).
 */
export type TufServerBehaviour =
  | { readonly status: number }
  | { readonly body: string | Uint8Array }
  | { readonly endless: true }
  | { readonly hang: true };

/**
 * A TUF repository served over HTTP on the loopback interface, with switches for attacks
 * ({@link attack}) and a log of requested paths. Files are read from the repository at each
 * request, so publishing new metadata takes effect at once.
 */
export class TestTufServer {
  /** Paths requested, in order, without the leading `/`. */
  readonly requests: string[] = [];
  private readonly behaviours = new Map<string, TufServerBehaviour>();
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. `http://127.0.0.1:40123`, no trailing slash. */
    readonly url: string,
    private readonly repository: TestTufRepository,
  ) {}

  /** Serve a repository on 127.0.0.1 (a free port). */
  static async start(repository: TestTufRepository): Promise<TestTufServer> {
    let self: TestTufServer | undefined;
    const server = createServer((req, res) => self?.handle(req, res));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    self = new TestTufServer(server, `http://127.0.0.1:${port}`, repository);
    return self;
  }

  /** Answer `path` (e.g. `timestamp.json`) differently; `undefined` restores the real file. */
  attack(path: string, behaviour: TufServerBehaviour | undefined): void {
    if (behaviour === undefined) this.behaviours.delete(path);
    else this.behaviours.set(path, behaviour);
  }

  /** Serve the repository as it is again. */
  clearAttacks(): void {
    this.behaviours.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    this.requests.push(path);
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const behaviour = this.behaviours.get(path);
    if (behaviour && 'status' in behaviour) {
      res.writeHead(behaviour.status).end();
      return;
    }
    if (behaviour && 'endless' in behaviour) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          /* keep writing until the socket pushes back */
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    if (behaviour && 'hang' in behaviour) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      return;
    }
    const body =
      behaviour && 'body' in behaviour ? behaviour.body : this.repository.files.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.byteLength });
    res.end(bytes);
  }

  /** Stop listening and drop every open connection (hanging or endless answers included). */
  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

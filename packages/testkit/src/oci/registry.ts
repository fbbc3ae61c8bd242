import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running loopback registry started by {@link startTestRegistry}. */
export interface RegistryProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  readonly port: number;
  /** Its storage directory (removed by {@link stop}). */
  readonly dir: string;
  /** Stop the process and remove its storage. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`registry exited with ${child.exitCode}: ${log()}`);
    }
    try {
      const response = await fetch(`${url}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`registry did not become ready: ${log()}`);
}

/** Options of {@link startTestRegistry}. */
export interface TestRegistryOptions {
  /**
   * Protect the registry with token auth (`auth.token`): the token service's realm, service,
   * issuer and signing certificate (see `startTestTokenServer`). Default: no auth.
   */
  readonly tokenAuth?: {
    readonly realm: string;
    readonly service: string;
    readonly issuer: string;
    readonly certificatePem: string;
  };
}

/**
 * Start the CNCF distribution registry (Debian's `docker-registry serve`) on a free loopback
 * port with filesystem storage in a fresh temporary directory, and wait until `/v2/` answers.
 * `binary` comes from `findTool('docker-registry')`.
 */
export async function startTestRegistry(
  binary: string,
  options: TestRegistryOptions = {},
): Promise<RegistryProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'flareo-registry-'));
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(options.tokenAuth
      ? [
          'auth:',
          '  token:',
          `    realm: ${options.tokenAuth.realm}`,
          `    service: ${options.tokenAuth.service}`,
          `    issuer: ${options.tokenAuth.issuer}`,
          `    rootcertbundle: ${join(dir, 'token-signer.pem')}`,
        ]
      : []),
    '',
  ].join('\n');
  if (options.tokenAuth) {
    await writeFile(join(dir, 'token-signer.pem'), options.tokenAuth.certificatePem);
  }
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, config);
  const child = spawn(binary, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, host: `127.0.0.1:${port}`, port, dir, stop };
}

import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { generateToken, hashToken, SCOPES, type Scope } from './auth.js';

/** prexorctl exit codes. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/** Where prexorctl writes and what it reads from the environment. */
export interface ClientIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_CONTROLLER = 'http://127.0.0.1:8181';
/** Largest response body read (a controller answers a few kilobytes). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

class UsageError extends Error {}

interface GlobalOptions {
  controller?: string;
  json?: boolean;
  token?: string;
  cacert?: string;
  cert?: string;
  key?: string;
}

/** How to reach the controller: base URL, bearer token, TLS files. */
interface Connection {
  readonly base: string;
  readonly token: string | undefined;
  readonly ca: Buffer | undefined;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
}

type Json = Record<string, unknown>;

interface Response {
  readonly status: number;
  readonly body: Json;
}

async function call(
  connection: Connection,
  path: string,
  init: { method?: string; form?: FormData } = {},
): Promise<Response> {
  const { base } = connection;
  let url: URL;
  try {
    url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new UsageError(`invalid controller URL ${JSON.stringify(base)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the controller URL must be http:// or https://, not ${url.protocol}`);
  }
  if (url.protocol === 'http:' && (connection.ca || connection.cert)) {
    throw new UsageError('--cacert, --cert and --key need an https:// controller URL');
  }
  const headers: Record<string, string> = {};
  let body: Buffer | undefined;
  if (init.form) {
    // Let the platform encode the multipart body, then send it with node:http(s), which
    // (unlike fetch) takes a CA and a client certificate.
    const encoded = new Request('http://localhost/', { method: 'POST', body: init.form });
    body = Buffer.from(await encoded.arrayBuffer());
    headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
    headers['content-length'] = String(body.length);
  }
  if (connection.token !== undefined) headers.authorization = `Bearer ${connection.token}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = send(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          ...(url.protocol === 'https:'
            ? {
                ...(connection.ca ? { ca: connection.ca } : {}),
                ...(connection.cert ? { cert: connection.cert } : {}),
                ...(connection.key ? { key: connection.key } : {}),
              }
            : {}),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  ).catch((error: unknown) => {
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot reach the controller at ${base}: ${e.code ?? e.message}`);
  });
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = { error: { code: 'NOT_JSON', message: text.slice(0, 500), detail: {} } };
  }
  return { status, body: parsed };
}

const show = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

function describeSignature(signature: unknown): string {
  const s = signature as Json | undefined;
  if (!s || typeof s !== 'object') return 'signature: none';
  if (s.status === 'verified' && typeof s.verification === 'object' && s.verification !== null) {
    const v = s.verification as Json;
    const signer = (v.signer ?? {}) as Json;
    const trustedBy = (signer.trustedBy ?? {}) as Json;
    const who =
      signer.kind === 'key'
        ? `key ${String(signer.keyId)}`
        : `certificate ${((signer.subjectAlternativeNames as string[] | undefined) ?? []).join(', ') || '(no SAN)'} trusted by ${show(trustedBy.anchor ?? trustedBy.keyId)}`;
    const entries = ((v.tlog as Json | undefined)?.entries as Json[] | undefined) ?? [];
    const log = entries.length
      ? `; Rekor entry ${entries.map((e) => `#${String(e.logIndex)}${e.integratedTime ? ` at ${String(e.integratedTime)}` : ''}`).join(', ')}`
      : '';
    return `signature verified (${String(s.kind === 'sig' ? '.sig' : '.cosign.bundle')}): ${who}${log}`;
  }
  return `signature ${String(s.status)}: ${String(s.because)}`;
}

function describeFailure(action: string, response: Response): string {
  // Errors come as { error: { code, message, detail } }; a body in any other shape (a proxy's
  // HTML page, say) is shown as it is.
  const error = response.body.error as Json | undefined;
  const b: Json =
    error && typeof error === 'object' ? error : { code: 'UNKNOWN', message: show(response.body) };
  const detail = (b.detail ?? {}) as Json;
  const lines = [
    `${action} failed (HTTP ${response.status} ${String(b.code)}): ${String(b.message)}`,
  ];
  const reason = detail.reason as Json | undefined;
  if (reason) {
    lines.push(`  reason:   ${String(reason.code)} at step ${String(reason.step)}`);
    for (const key of ['field', 'expected', 'actual', 'missing', 'rekorCode'] as const) {
      if (reason[key] !== undefined) lines.push(`  ${`${key}:`.padEnd(9)} ${show(reason[key])}`);
    }
  } else {
    if (detail.expected !== undefined) lines.push(`  expected: ${show(detail.expected)}`);
    if (detail.actual !== undefined) lines.push(`  actual:   ${show(detail.actual)}`);
  }
  if (response.status === 401) {
    lines.push('  give a token with --token TOKEN or the environment variable PREXORCTL_TOKEN');
  }
  return `${lines.join('\n')}\n`;
}

const exitFor = (status: number): number => (status === 400 ? EXIT.usage : EXIT.failed);

function readLocal(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

/** Sidecars looked for next to `FILE` when neither --bundle nor --sig is given. */
export function findSidecars(file: string): { bundle?: string; sig?: string } {
  const stem = file.replace(/\.[^./\\]+$/, '');
  const first = (names: string[]) => names.find((n) => existsSync(n));
  const bundle = first([`${file}.cosign.bundle`, `${stem}.cosign.bundle`]);
  const sig = first([`${file}.sig`, `${stem}.sig`]);
  return { ...(bundle ? { bundle } : {}), ...(sig ? { sig } : {}) };
}

/** Run prexorctl with `argv` (without node and script). Resolves to the exit code. */
export async function runPrexorctl(argv: readonly string[], io: ClientIo): Promise<number> {
  let exit: number = EXIT.ok;
  const program = new Command('prexorctl')
    .description('Install, list and remove modules on a Flareo reference controller.')
    .option(
      '--controller <url>',
      `controller base URL (default: $PREXORCTL_CONTROLLER or ${DEFAULT_CONTROLLER})`,
    )
    .option('--json', 'print the controller’s JSON responses')
    .option('--token <token>', 'bearer token (default: $PREXORCTL_TOKEN)')
    .option('--cacert <file>', 'PEM CA certificate(s) to trust for an https:// controller')
    .option('--cert <file>', 'PEM client certificate, for a controller that requires one')
    .option('--key <file>', 'PEM private key of --cert')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const base = (cmd: Command): { url: Connection; json: boolean } => {
    const o = cmd.optsWithGlobals<GlobalOptions>();
    if ((o.cert === undefined) !== (o.key === undefined)) {
      throw new UsageError('--cert and --key go together');
    }
    const token = o.token ?? (io.env.PREXORCTL_TOKEN || undefined);
    if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
      throw new UsageError('the token must be printable ASCII without spaces');
    }
    return {
      url: {
        base: o.controller ?? (io.env.PREXORCTL_CONTROLLER || DEFAULT_CONTROLLER),
        token,
        ca: o.cacert === undefined ? undefined : readLocal(o.cacert, 'CA certificate'),
        cert: o.cert === undefined ? undefined : readLocal(o.cert, 'client certificate'),
        key: o.key === undefined ? undefined : readLocal(o.key, 'client key'),
      },
      json: o.json === true,
    };
  };
  const print = (json: boolean, response: Response, human: () => string, action: string) => {
    if (json) io.stdout(`${JSON.stringify(response.body, null, 2)}\n`);
    else if (response.status === 200) io.stdout(human());
    if (response.status !== 200) {
      if (!json) io.stderr(describeFailure(action, response));
      exit = exitFor(response.status);
    }
  };

  const module = program.command('module').description('manage modules');
  module
    .command('install')
    .description('install FILE with its .cosign.bundle (--bundle) or .sig (--sig)')
    .argument('<file>', 'the module file')
    .addOption(
      new Option('--bundle <file>', 'the cosign bundle (COSIGN_BUNDLE)').conflicts([
        'sig',
        'unsigned',
      ]),
    )
    .addOption(new Option('--sig <file>', 'the base64 signature (KEYED)').conflicts(['unsigned']))
    .option('--unsigned', 'send no signature, even if a sidecar file exists')
    .option('--name <name>', 'module name (default: the file name without its extension)')
    .action(
      async (
        file: string,
        opts: { bundle?: string; sig?: string; unsigned?: boolean; name?: string },
        cmd: Command,
      ) => {
        const { url, json } = base(cmd);
        const moduleBytes = readLocal(file, 'module');
        let bundle = opts.bundle;
        let sig = opts.sig;
        if (bundle === undefined && sig === undefined && !opts.unsigned) {
          const found = findSidecars(file);
          if (found.bundle && found.sig) {
            throw new UsageError(
              `both ${found.bundle} and ${found.sig} exist: choose one with --bundle or --sig`,
            );
          }
          bundle = found.bundle;
          sig = found.sig;
          if (!json && (bundle ?? sig)) io.stderr(`using ${bundle ?? sig}\n`);
        }
        const form = new FormData();
        if (opts.name !== undefined) form.append('name', opts.name);
        form.append('module', new Blob([moduleBytes]), basename(file));
        if (bundle !== undefined)
          form.append('bundle', new Blob([readLocal(bundle, 'bundle')]), basename(bundle));
        if (sig !== undefined)
          form.append('signature', new Blob([readLocal(sig, 'signature')]), basename(sig));
        const response = await call(url, 'api/v1/modules', { method: 'POST', form });
        print(
          json,
          response,
          () => {
            const m = response.body.installed as Json | undefined;
            if (!m || typeof m !== 'object') return `${JSON.stringify(response.body)}\n`;
            return `installed ${String(m.name)} (${String(m.fileName)}, ${String(m.size)} bytes, sha256 ${String(m.sha256)})\n  ${describeSignature(m.signature)}\n`;
          },
          `install of ${basename(file)}`,
        );
      },
    );
  module
    .command('list')
    .description('list installed modules')
    .action(async (_opts: unknown, cmd: Command) => {
      const { url, json } = base(cmd);
      const response = await call(url, 'api/v1/modules');
      print(
        json,
        response,
        () => {
          const modules = (response.body.modules as Json[]) ?? [];
          if (!modules.length) return 'no modules installed\n';
          return modules
            .map(
              (m) =>
                `${String(m.name)}\t${String(m.fileName)}\t${String((m.signature as Json)?.status ?? 'unknown')}\t${String(m.installedAt)}\n`,
            )
            .join('');
        },
        'list',
      );
    });
  module
    .command('remove')
    .description('remove an installed module')
    .argument('<name>', 'module name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { url, json } = base(cmd);
      const response = await call(url, `api/v1/modules/${encodeURIComponent(name)}`, {
        method: 'DELETE',
      });
      print(json, response, () => `removed ${name}\n`, `remove of ${name}`);
    });

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .description(
      'make a new bearer token: prints the secret (for the client) and the entry for the controller’s tokens file (its SHA-256 only)',
    )
    .requiredOption('--name <name>', 'what the audit log will call this token')
    .addOption(
      new Option('--scope <scope...>', 'what it may do (repeatable)')
        .choices([...SCOPES])
        .makeOptionMandatory(),
    )
    .action((opts: { name: string; scope: Scope[] }, cmd: Command) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(opts.name)) {
        throw new UsageError(
          'a token name is 1–128 letters, digits, ".", "_", "@", "-", starting with a letter or digit',
        );
      }
      const token = generateToken();
      const scopes = [...new Set(opts.scope)];
      const sha256 = hashToken(token);
      if (cmd.optsWithGlobals<GlobalOptions>().json) {
        io.stdout(`${JSON.stringify({ name: opts.name, token, sha256, scopes }, null, 2)}\n`);
        return;
      }
      io.stdout(
        `token: ${token}\n  (give it to the client as PREXORCTL_TOKEN; it is shown once and stored nowhere)\n` +
          `add to the controller's tokens file:\n  - name: ${opts.name}\n    sha256: ${sha256}\n    scopes: [${scopes.join(', ')}]\n`,
      );
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      io.stderr(`prexorctl: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  return exit;
}

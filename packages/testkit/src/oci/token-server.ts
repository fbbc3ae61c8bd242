import { randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, type TestCertificate } from '../x509.js';

/** Options of {@link startTestTokenServer}. */
export interface TestTokenServerOptions {
  /** `service` the registry names in its challenge and expects as `aud`. Default `flareo-registry`. */
  readonly service?: string;
  /** `iss` of the tokens. Default `flareo-test-token-issuer`. */
  readonly issuer?: string;
  /** Require these Basic credentials; without them, tokens are anonymous (pull only). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Grant `pull` to anonymous callers. Default true; false issues tokens without access. */
  readonly anonymousPull?: boolean;
  /** Seed of the signing key and certificate. Default `'flareo-token-server'`. */
  readonly seed?: string;
}

/** A running loopback token service (the Docker/distribution token protocol). */
export interface TestTokenServer {
  /** The realm to configure in the registry (`http://127.0.0.1:<port>/token`). */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The self-signed P-256 certificate whose key signs tokens: the registry's root bundle. */
  readonly certificate: TestCertificate;
  /** Every token request: its query string and whether it carried valid credentials. */
  readonly requests: { readonly query: string; readonly authenticated: boolean }[];
  /** Mint a token directly (for pushing test content). */
  mint(access: readonly { name: string; actions: readonly string[] }[]): string;
  close(): Promise<void>;
}

const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/**
 * Start a token service on loopback that issues ES256 JWTs the way the distribution
 * registry's `auth.token` expects them: `x5c` header with the signing certificate (listed in
 * the registry's `rootcertbundle`), `iss`, `aud` = service, and `access` claims from the
 * requested `scope`. Anonymous callers get `pull` (unless disabled); callers with the configured credentials
 * get the actions they ask for; wrong credentials get 401.
 */
export async function startTestTokenServer(
  options: TestTokenServerOptions = {},
): Promise<TestTokenServer> {
  const service = options.service ?? 'flareo-registry';
  const issuer = options.issuer ?? 'flareo-test-token-issuer';
  const certificate = createCertificateAuthority({
    seed: options.seed ?? 'flareo-token-server',
    keyType: 'ecdsa-p256',
    commonName: 'Flareo Test Token Signer',
    keyUsage: ['digitalSignature', 'keyCertSign'],
  });
  const requests: { query: string; authenticated: boolean }[] = [];
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : undefined;

  const mint = (access: readonly { name: string; actions: readonly string[] }[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = {
      typ: 'JWT',
      alg: 'ES256',
      x5c: [Buffer.from(certificate.der).toString('base64')],
    };
    const claims = {
      iss: issuer,
      sub: '',
      aud: service,
      exp: now + 300,
      nbf: now - 30,
      iat: now,
      jti: randomUUID(),
      access: access.map((a) => ({ type: 'repository', name: a.name, actions: [...a.actions] })),
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: certificate.key.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${b64url(signature)}`;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const given = req.headers.authorization;
    const authenticated = expected !== undefined && given === expected;
    requests.push({ query: url.search, authenticated });
    if (given !== undefined && !authenticated) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const wanted = actions.split(',');
      const anonymous = options.anonymousPull === false ? [] : wanted.filter((a) => a === 'pull');
      return [{ name, actions: authenticated ? wanted : anonymous }];
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: mint(access), expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificate,
    requests,
    mint,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

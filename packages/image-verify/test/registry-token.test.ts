import {
  findTool,
  OciPushClient,
  type RegistryProcess,
  startTestRegistry,
  startTestTokenServer,
  type TestTokenServer,
} from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrySource } from '../src/index.js';
import { attachBundle, codes, policy, rejects, signedImage, verifier } from './support/world.js';

const registryBinary = findTool('docker-registry');
const credentials = { username: 'ci', password: 'pull-and-push' };

// The real distribution registry with `auth.token`: it answers 401 with a Bearer challenge
// naming a loopback token service, and accepts only ES256 JWTs signed by that service.
describe.skipIf(!registryBinary)('registrySource against a token-protected docker-registry', () => {
  const worlds: { registry: RegistryProcess; tokens: TestTokenServer }[] = [];
  let open: { registry: RegistryProcess; tokens: TestTokenServer };
  let closed: { registry: RegistryProcess; tokens: TestTokenServer };
  const { store, image } = signedImage({ seed: 'token-registry' });
  attachBundle(store, image);

  async function world(anonymousPull: boolean) {
    const tokens = await startTestTokenServer({ credentials, anonymousPull });
    const registry = await startTestRegistry(registryBinary as string, {
      tokenAuth: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        certificatePem: tokens.certificate.pem,
      },
    });
    const push = tokens.mint([{ name: 'modules/demo', actions: ['pull', 'push'] }]);
    await new OciPushClient({
      baseUrl: registry.url,
      headers: { authorization: `Bearer ${push}` },
    }).pushStore('modules/demo', store);
    const w = { registry, tokens };
    worlds.push(w);
    return w;
  }

  beforeAll(async () => {
    open = await world(true);
    closed = await world(false);
  });
  afterAll(async () => {
    for (const w of worlds) {
      await w.registry.stop();
      await w.tokens.close();
    }
  });

  const ref = (w: typeof open) => `${w.registry.host}/modules/demo:v1`;

  it('the registry really challenges', async () => {
    const response = await fetch(`${open.registry.url}/v2/modules/demo/manifests/v1`);
    await response.arrayBuffer();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(`realm="${open.tokens.realm}"`);
  });

  it('anonymous token flow: challenge → token (scope from the challenge) → verified', async () => {
    const before = open.tokens.requests.length;
    const collected = await registrySource(ref(open), { plainHttp: true }).collect();
    expect(codes(verifier.verifyImage(collected, policy))).toEqual(['VERIFIED', 'VERIFIED']);
    const requests = open.tokens.requests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.authenticated).toBe(false);
    const query = new URLSearchParams(requests[0]?.query);
    expect(query.get('service')).toBe(open.tokens.service);
    expect(query.get('scope')).toBe('repository:modules/demo:pull');
  });

  it('credentials go to the token service', async () => {
    const collected = await registrySource(ref(closed), {
      plainHttp: true,
      auth: credentials,
    }).collect();
    expect(verifier.verifyImage(collected, policy).digest).toBe(image.digest);
    expect(closed.tokens.requests.at(-1)?.authenticated).toBe(true);
  });

  it('anonymous pull on a private repository is AUTH_FAILED', async () => {
    await rejects(() => registrySource(ref(closed), { plainHttp: true }).collect(), 'AUTH_FAILED');
  });

  it('wrong credentials are AUTH_FAILED', async () => {
    await rejects(
      () =>
        registrySource(ref(closed), {
          plainHttp: true,
          auth: { username: 'ci', password: 'wrong' },
        }).collect(),
      'AUTH_FAILED',
    );
  });

  it('a token given directly is used as is', async () => {
    const token = closed.tokens.mint([{ name: 'modules/demo', actions: ['pull'] }]);
    const collected = await registrySource(ref(closed), {
      plainHttp: true,
      auth: { token },
    }).collect();
    expect(collected.digest).toBe(image.digest);
    const stale = closed.tokens.mint([{ name: 'modules/other', actions: ['pull'] }]);
    await rejects(
      () => registrySource(ref(closed), { plainHttp: true, auth: { token: stale } }).collect(),
      'AUTH_FAILED',
    );
  });
});

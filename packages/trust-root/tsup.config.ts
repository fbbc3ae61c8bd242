import { packageConfig } from '../../tsup.base';

/**
 * Two entries: the main one (parsing, no I/O, browser-safe) and `./tuf` (Node only: tuf-js,
 * network, cache). The tuf entry imports the main one by package name, kept external, so
 * both share one `TrustRootError` class and one parser at run time.
 */
export default packageConfig({
  entry: { index: 'src/index.ts', tuf: 'src/tuf/index.ts' },
  external: ['@flareo/trust-root'],
});

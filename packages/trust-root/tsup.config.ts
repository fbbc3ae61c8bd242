import { packageConfig } from '../../tsup.base';

/**
 * Three entries: the main one (parsing, no I/O), `./x509` (the DER reader and the certificate
 * view, for the other packages and the browser build) and `./tuf` (Node only: tuf-js, network,
 * cache). The tuf entry imports the main one by package name, kept external, so both share one
 * `TrustRootError` class and one parser at run time.
 */
export default packageConfig({
  entry: { index: 'src/index.ts', 'x509/index': 'src/x509/index.ts', tuf: 'src/tuf/index.ts' },
  external: ['@flareo/trust-root'],
});

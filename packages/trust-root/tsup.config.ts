import { packageConfig } from '../../tsup.base';

// `src/x509/index.ts` is the `@flareo/trust-root/x509` subpath: the DER reader and the
// certificate view, for the other packages (and later the browser build).
export default packageConfig({ entry: ['src/index.ts', 'src/x509/index.ts'] });

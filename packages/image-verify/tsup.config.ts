import { packageConfig } from '../../tsup.base';

// Two entry points sharing one copy of the code (splitting), so `ImageVerifyError` is the
// same class whichever entry it comes from.
export default packageConfig({ entry: ['src/index.ts', 'src/conventions.ts'], splitting: true });

import { packageConfig } from '../../tsup.base';

// Two entry points sharing one copy of the code (splitting), so `RekorError` is the same
// class whichever entry threw it.
export default packageConfig({ entry: ['src/index.ts', 'src/proofs.ts'], splitting: true });

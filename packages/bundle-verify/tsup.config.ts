import { packageConfig } from '../../tsup.base';

// The worker of the verifier pool is its own entry: the pool starts it by URL.
export default packageConfig({ entry: ['src/index.ts', 'src/worker.ts'], shims: true });

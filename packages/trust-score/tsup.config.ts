import { packageConfig } from '../../tsup.base';

// Two entry points sharing one copy of the code (splitting), so `TrustScoreError` and the
// constants are the same objects whichever entry they are imported from.
export default packageConfig({
  entry: ['src/index.ts', 'src/definition.ts'],
  splitting: true,
});

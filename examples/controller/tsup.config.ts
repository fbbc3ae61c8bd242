import { packageConfig } from '../../tsup.base';

export default packageConfig({
  entry: ['src/main.ts', 'src/prexorctl.ts'],
  format: ['esm'],
  dts: false,
});

import { packageConfig } from '../../tsup.base';

// An executable, not a library: one ESM entry with a shebang, no type declarations.
export default packageConfig({ entry: ['src/cli.ts'], format: ['esm'], dts: false });

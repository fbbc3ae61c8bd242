import { packageConfig } from '../../tsup.base';

// Two entries, `.` and `./advanced`, with the code they share (the error class first of all)
// in one chunk, so that `instanceof VexError` holds whichever entry threw.
export default packageConfig({ entry: ['src/index.ts', 'src/advanced.ts'], splitting: true });

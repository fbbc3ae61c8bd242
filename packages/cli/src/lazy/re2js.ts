// Stand-in for `re2js` in the bundled command (see forward.ts and tsup.config.ts).
import { forward, vendored } from './forward.js';

const load = vendored<{ RE2JS: object }>('re2js.cjs');

export const RE2JS = forward(() => load().RE2JS);

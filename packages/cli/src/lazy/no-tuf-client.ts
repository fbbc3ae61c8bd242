// Stand-in for `tuf-js` in the one-file bundles of `flareo verify` and `flareo verify-batch`
// (see tsup.config.ts): they read the cached trusted root with @flareo/trust-root/tuf and never
// run the TUF client, which is `flareo trust-root update`'s (in the main bundle). Reaching this
// is a packaging bug.

/** Refuses to run: the TUF client is not part of this bundle. */
export class Updater {
  constructor() {
    throw new Error('internal: the TUF client is not part of this flareo bundle');
  }
}

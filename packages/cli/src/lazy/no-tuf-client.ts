// Stand-in for `tuf-js` in the `flareo verify` bundle (see tsup.config.ts): verify reads the
// cached trusted root with @flareo/trust-root/tuf and never runs the TUF client, which is
// `flareo trust-root update`'s (in the main bundle). Reaching this is a packaging bug.

/** Refuses to run: the TUF client is not part of this bundle. */
export class Updater {
  constructor() {
    throw new Error('internal: the TUF client is not part of the flareo verify bundle');
  }
}

import { type CompiledSubject, compileSubject, type Subject } from '../identity.js';
import type { FindingGroups, IndexCore } from '../vex-index/core.js';

/**
 * The package identities of one report, compiled against the index on first use and once per
 * distinct identity: many findings share a package, and findings whose vulnerability no
 * statement names never need theirs (unless their near misses are read).
 */
export class Leaves {
  private readonly memo = new Map<string, CompiledSubject>();

  /**
   * `subjectOf(key)` is the identity a finding's `leaf` key stands for; `keyIsPurl`: every
   * key is a purl, and `subjectOf(key)` is `{ purls: [key] }`.
   */
  constructor(
    private readonly core: IndexCore,
    private readonly subjectOf: (key: string) => Subject,
    private readonly keyIsPurl = false,
  ) {}

  get(key: string): CompiledSubject {
    let leaf = this.memo.get(key);
    if (!leaf) {
      leaf = this.compile(key);
      this.memo.set(key, leaf);
    }
    return leaf;
  }

  /**
   * Forget the memo at the end of an apply: outcomes whose near misses are not read yet keep
   * this object, and should not keep every compiled package with it.
   */
  release(): void {
    this.memo.clear();
  }

  /**
   * The compiled package when it can match a statement of these vulnerability groups, as
   * the product itself or (with `asSub`) as a subcomponent of the scanned product, decided
   * without parsing it (see `IndexCore.mayMatch`); `undefined` when it cannot, and then it is
   * not compiled. A package compiled already is returned as it is (its queries then find
   * what they find, nothing when it cannot match).
   */
  getIfMayMatch(key: string, groups: FindingGroups, asSub: boolean): CompiledSubject | undefined {
    let leaf = this.memo.get(key);
    if (leaf) return leaf;
    if (this.keyIsPurl) {
      if (!this.core.mayMatch(groups, key, true, asSub)) return undefined;
      // The one purl passed the coarse check against these groups, so the index's own check
      // (its coarse key among all statements' packages) would pass too: parse it directly.
      leaf = compileSubject({ purls: [key] });
    } else {
      const subject = this.subjectOf(key);
      if (!this.core.mayMatch(groups, subject, true, asSub)) return undefined;
      leaf = this.core.compile(subject);
    }
    this.memo.set(key, leaf);
    return leaf;
  }

  /** Compile without the memo (for near misses read later, after {@link release}). */
  compile(key: string): CompiledSubject {
    return this.core.compile(this.subjectOf(key));
  }
}

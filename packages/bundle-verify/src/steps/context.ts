import type { RekorPolicy } from '@flareo/rekor-set';
import type { TrustRoot } from '@flareo/trust-root';
import type { Artifact } from '../artifact.js';
import type { CompiledIdentityPolicy } from '../identity.js';
import type { InputLimits, NormalizedInput } from '../input.js';

/** Where a trusted time came from. */
export type TimeSource = 'log' | 'timestamp' | 'current';

/** One trusted time, by source. */
export interface TrustedTime {
  readonly source: TimeSource;
  readonly time: Date;
}

/** A verifier's options with every default applied: compiled once by `createVerifier`. */
export interface VerifierConfig {
  readonly trustRoot: TrustRoot;
  readonly rekor: {
    readonly policy: RekorPolicy;
    readonly threshold: number;
    readonly clockSkewSeconds?: number;
    readonly allowDeprecatedDsseV002?: boolean;
  };
  readonly timeSources: readonly TimeSource[];
  readonly timeThreshold: number;
  readonly sctThreshold: number;
  readonly limits: InputLimits;
  readonly now: () => Date;
}

/** What every step of one verification reads: the verifier's config and this call's inputs. */
export interface Verification {
  readonly config: VerifierConfig;
  readonly input: NormalizedInput;
  /** Absent only for DSSE bundles verified without the artifact. */
  readonly artifact: Artifact | undefined;
  /** Absent for keyed signatures; required later when the signer is a certificate. */
  readonly policy: CompiledIdentityPolicy | undefined;
}

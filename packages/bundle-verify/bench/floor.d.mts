import type { TrustRoot } from '@flareo/trust-root';

/** Precompute the inputs of `bundle` (parsed JSON); returns the floor's work as a function. */
export declare function floorOf(bundle: unknown, trust: TrustRoot): () => void;

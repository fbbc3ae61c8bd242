import type { ArtifactInput } from './artifact.js';
import type { IdentityPolicy } from './identity.js';
import type { VerificationSummary } from './summary.js';
import type { TrustInput } from './trust-input.js';
import type { VerifierOptions } from './verifier.js';

export interface WorkerSetup {
  readonly trust: readonly TrustInput[];
  readonly options: Omit<VerifierOptions, 'now' | 'cryptoBackend'>;
}

export interface WorkerRequest {
  readonly id: number;
  readonly kind: 'bundle' | 'signature';
  readonly input: string | Uint8Array | object;
  readonly artifact?: ArtifactInput;
  readonly policy?: IdentityPolicy;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: VerificationSummary }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: {
        readonly code: string;
        readonly message: string;
        readonly detail: unknown;
        readonly bundleError: boolean;
      };
    };

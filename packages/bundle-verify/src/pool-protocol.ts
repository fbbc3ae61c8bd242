import type { PemTrustBundleOptions, TrustedRootOptions } from '@flareo/trust-root';
import type { ArtifactInput } from './artifact.js';
import type { IdentityPolicy } from './identity.js';
import type { VerificationSummary } from './summary.js';
import type { VerifierOptions } from './verifier.js';

/** Trust material in a form that can be sent to worker threads (each parses it once). */
export type TrustInput =
  | { readonly kind: 'pem'; readonly text: string; readonly options?: PemTrustBundleOptions }
  | { readonly kind: 'trusted-root'; readonly json: string; readonly options?: TrustedRootOptions }
  | { readonly kind: 'public-good' };

export interface WorkerSetup {
  readonly trust: readonly TrustInput[];
  readonly options: Omit<VerifierOptions, 'now'>;
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

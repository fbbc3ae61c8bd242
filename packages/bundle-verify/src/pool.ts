import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  requireBundleInput,
  requirePolicy,
  requireRecord,
  requireSignatureInput,
  requireVerifierOptions,
} from './arguments.js';
import { Artifact, type ArtifactInput } from './artifact.js';
import {
  BundleVerifyError,
  type BundleVerifyErrorCode,
  type BundleVerifyErrorDetail,
} from './errors.js';
import { compileIdentityPolicy, type IdentityPolicy } from './identity.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './pool-protocol.js';
import type { VerificationSummary } from './summary.js';
import { checkTrustInputs, type TrustInput } from './trust-input.js';
import type { VerifierOptions } from './verifier.js';

/** Options of {@link createVerifierPool}. */
export interface VerifierPoolOptions {
  /** Trust material, parsed once in every worker. */
  readonly trust: readonly TrustInput[];
  /** Verifier options (all but `now`, which cannot cross threads). Default `{}`. */
  readonly verifier?: Omit<VerifierOptions, 'now' | 'cryptoBackend'>;
  /** Worker threads. Default: `os.availableParallelism()`. */
  readonly size?: number;
}

/** Verifies many bundles in parallel on worker threads; results are JSON-safe summaries. */
export interface VerifierPool {
  verifyBundle(
    bundle: string | Uint8Array | object,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy,
  ): Promise<VerificationSummary>;
  verifySignature(
    signature: string | Uint8Array,
    artifact: ArtifactInput,
  ): Promise<VerificationSummary>;
  /** Stop every worker; pending verifications are rejected. */
  close(): Promise<void>;
  readonly size: number;
}

interface Pending {
  resolve(v: VerificationSummary): void;
  reject(e: unknown): void;
}

/**
 * A pool of verifiers on worker threads, to use every core for batches. Each call is routed
 * to the least busy worker. Failures reject with a {@link BundleVerifyError} carrying the same
 * code and detail as in-thread verification.
 */
export function createVerifierPool(options: VerifierPoolOptions): VerifierPool {
  const fn = 'createVerifierPool';
  const o = requireRecord(fn, 'options', options);
  checkTrustInputs(fn, 'options.trust', o.trust);
  requireVerifierOptions(fn, 'options.verifier', o.verifier, false);
  const size = options.size ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) {
    throw new BundleVerifyError(
      'ARGUMENT_INVALID',
      `pool size must be a positive integer, got ${size}`,
      { step: 'parse', expected: '>= 1', actual: size },
    );
  }
  const setup: WorkerSetup = { trust: options.trust, options: options.verifier ?? {} };
  const workerUrl = new URL('./worker.js', import.meta.url);
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(workerUrl, { workerData: setup });
    const pending = new Map<number, Pending>();
    worker.on('message', (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else if (reply.error.bundleError) {
        p.reject(
          new BundleVerifyError(
            reply.error.code as BundleVerifyErrorCode,
            reply.error.message,
            reply.error.detail as BundleVerifyErrorDetail,
          ),
        );
      } else p.reject(new Error(reply.error.message));
    });
    worker.on('error', (error) => {
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    });
    return { worker, pending };
  });
  let nextId = 0;
  let closed = false;
  const send = (req: Omit<WorkerRequest, 'id'>): Promise<VerificationSummary> => {
    if (closed) return Promise.reject(new Error('verifier pool is closed'));
    const id = nextId++;
    const target = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ ...req, id });
    });
  };
  // Arguments are checked here, before they cross to a worker: a wrong type rejects with the
  // same coded error as in-thread verification (and cannot fail to clone).
  const checked = (check: () => void): Promise<void> => {
    try {
      check();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    size,
    verifyBundle: (bundle, artifact, policy) =>
      checked(() => {
        requireBundleInput('VerifierPool.verifyBundle', 'bundle', bundle);
        if (artifact !== undefined) new Artifact(artifact);
        requirePolicy('VerifierPool.verifyBundle', 'policy', policy);
        if (policy !== undefined) compileIdentityPolicy(policy);
      }).then(() =>
        send({
          kind: 'bundle',
          input: bundle,
          ...(artifact === undefined ? {} : { artifact }),
          ...(policy === undefined ? {} : { policy }),
        }),
      ),
    verifySignature: (signature, artifact) =>
      checked(() => {
        requireSignatureInput('VerifierPool.verifySignature', 'signature', signature);
        new Artifact(artifact);
      }).then(() => send({ kind: 'signature', input: signature, artifact })),
    async close() {
      closed = true;
      await Promise.all(
        workers.map(async ({ worker, pending }) => {
          for (const p of pending.values()) p.reject(new Error('verifier pool closed'));
          pending.clear();
          await worker.terminate();
        }),
      );
    },
  };
}

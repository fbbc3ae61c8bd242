import { parentPort, workerData } from 'node:worker_threads';
import { BundleVerifyError } from './errors.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './pool-protocol.js';
import { summarizeResult } from './summary.js';
import { loadTrustInputs } from './trust-input.js';
import { createVerifier } from './verifier.js';

// One worker of a verifier pool: parses the trust material once, then verifies requests.
const setup = workerData as WorkerSetup;
const trust = loadTrustInputs(setup.trust);
const verifier = createVerifier(trust, setup.options);

parentPort?.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const result =
      req.kind === 'bundle'
        ? verifier.verifyBundle(req.input, req.artifact, req.policy)
        : verifier.verifySignature(
            req.input as string | Uint8Array,
            req.artifact as NonNullable<WorkerRequest['artifact']>,
          );
    reply = { id: req.id, ok: true, result: summarizeResult(result) };
  } catch (error) {
    const e = error as Error & { code?: string; detail?: unknown };
    reply = {
      id: req.id,
      ok: false,
      error: {
        code: e.code ?? 'INTERNAL',
        message: e.message,
        detail: JSON.parse(
          JSON.stringify(e.detail ?? null, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
        ),
        bundleError: error instanceof BundleVerifyError,
      },
    };
  }
  parentPort?.postMessage(reply);
});

// Timing helper for the bench case modules: runs in Node and in Chromium alike
// (`performance.now()` only; Chromium rounds it to 0.1 ms, so each round times many calls).

/** Options of {@link perCall}. */
export interface TimingOptions {
  /** Calls before timing starts. Default 10. */
  readonly warmup?: number;
  /** Timed rounds; the fastest round counts. Default 7. */
  readonly rounds?: number;
  /** Calls per round. Default 40. */
  readonly calls?: number;
}

/**
 * Wall time of one call of `f` in milliseconds (awaited one after the other), from the
 * fastest round: on a shared machine a round only gets slower when the process is preempted,
 * so the fastest is the closest to the work's own cost.
 */
export async function perCall(f: () => unknown, options: TimingOptions = {}): Promise<number> {
  const { warmup = 10, rounds = 7, calls = 40 } = options;
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await f();
    times.push((performance.now() - start) / calls);
  }
  return Math.min(...times);
}

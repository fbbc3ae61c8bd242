// Timing helper for the bench case modules: runs in Node, Chromium and workerd alike
// (`performance.now()` only). On a machine shared with other work a round only ever gets
// slower (the process is preempted), so many short rounds are timed and the fastest one
// counts: the closest to the work's own cost. A round is a few calls, as many as fill about
// 4 ms (25 ms in workerd, whose clock only has millisecond steps; Chromium's has 0.1 ms steps).

/** Options of {@link perCall}. */
export interface TimingOptions {
  /** Timed rounds; the fastest round counts. Default 20. */
  readonly rounds?: number;
}

const inWorkerd =
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ===
  'Cloudflare-Workers';

/** Wall time of one call of `f` in milliseconds (awaited one after the other), fastest round. */
export async function perCall(f: () => unknown, options: TimingOptions = {}): Promise<number> {
  const { rounds = 20 } = options;
  const target = inWorkerd ? 25 : 4;
  // Warm up (the JIT, key caches) for at least 10 calls and 30 ms, and size the rounds.
  let calls = 0;
  const start = performance.now();
  while (calls < 10 || performance.now() - start < 30) {
    await f();
    calls++;
  }
  const perRound = Math.max(1, Math.round((target * calls) / (performance.now() - start)));
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) await f();
    best = Math.min(best, (performance.now() - t0) / perRound);
  }
  return best;
}

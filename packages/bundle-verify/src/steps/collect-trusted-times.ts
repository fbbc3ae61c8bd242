import type { RekorEvidence } from '@flareo/rekor-set';
import { BundleVerifyError } from '../errors.js';
import type { TrustedTime, Verification } from './context.js';

/**
 * Step 6 (`time`): the times a signer is checked at, from the sources the verifier allows:
 * verified log integrated times, verified timestamps (already one per token), and the current
 * time only when `'current'` is chosen. One log entry (one leaf in one log) gives one time,
 * however often the bundle repeats it.
 */
export function collectTrustedTimes(
  { config }: Verification,
  tlog: RekorEvidence,
  stamps: readonly TrustedTime[],
): TrustedTime[] {
  const times: TrustedTime[] = [];
  if (config.timeSources.includes('log')) {
    const seen = new Set<string>();
    for (const entry of tlog.entries) {
      const key = `${entry.logId}:${entry.leafHash}`;
      if (!entry.integratedTime || seen.has(key)) continue;
      seen.add(key);
      times.push({ source: 'log', time: entry.integratedTime });
    }
  }
  times.push(...stamps);
  if (config.timeSources.includes('current')) times.push({ source: 'current', time: config.now() });
  return times;
}

/**
 * A certificate trusted through a CA needs `timeThreshold` distinct trusted times
 * (TIME_SOURCE_MISSING otherwise, naming what is missing when Rekor v2 left no time).
 */
export function requireTimeThreshold(
  { config, input }: Verification,
  times: readonly TrustedTime[],
  tlog: RekorEvidence,
): void {
  const { timeThreshold, timeSources } = config;
  if (times.length >= timeThreshold) return;
  throw new BundleVerifyError(
    'TIME_SOURCE_MISSING',
    `a certificate needs ${timeThreshold} distinct trusted time(s) to be checked at; got ${times.length} (sources allowed: ${timeSources.join(', ')})`,
    {
      step: 'time',
      expected: timeThreshold,
      actual: times.length,
      missing:
        tlog.noLogTime && !input.timestamps.length
          ? 'a verified SET or RFC 3161 timestamp (Rekor v2 entries carry no time)'
          : undefined,
    },
  );
}

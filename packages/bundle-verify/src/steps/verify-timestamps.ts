import type { CryptoTask } from '@flareo/trust-root';
import { rfc3161TimestampTask } from '../timestamp.js';
import type { TrustedTime, Verification } from './context.js';

/**
 * Step 4 (`timestamp`): every RFC 3161 token must verify against the trust root's timestamp
 * authorities, over this signature. Runs before the log step, whose key windows the earliest
 * timestamp bounds. Skipped when `timeSources` leaves out `'timestamp'`.
 *
 * One token counts once as a trusted time: a TSA issues one serial number per token
 * (RFC 3161 §2.4.2), so copies of a token, however they are wrapped, share the pair
 * (TSA signing certificate, serial number).
 */
export function* verifyTimestamps({ input, config }: Verification): CryptoTask<TrustedTime[]> {
  const stamps: TrustedTime[] = [];
  if (!config.timeSources.includes('timestamp')) return stamps;
  const seen = new Set<string>();
  for (const token of input.timestamps) {
    const verified = yield* rfc3161TimestampTask(token, input.content.signature, config.trustRoot);
    const key = `${verified.authority.certificates[0]?.fingerprint}:${verified.serialNumber}`;
    if (seen.has(key)) continue;
    seen.add(key);
    stamps.push({ source: 'timestamp', time: verified.time });
  }
  return stamps;
}

import { isWithin, type TrustedKey } from '@flareo/trust-root';
import { BundleVerifyError } from '../errors.js';
import type { TrustedTime } from './context.js';

/** Step 7 for a keyed signer (`trust`): the trusted key must be valid at every trusted time. */
export function checkKeyValidity(key: TrustedKey, times: readonly TrustedTime[]): void {
  for (const { time } of times) {
    if (!isWithin(key.validFor, time)) {
      throw new BundleVerifyError(
        'UNTRUSTED_SIGNER',
        `trusted key ${key.id} is not valid at ${time.toISOString()}`,
        { step: 'trust', expected: key.validFor, actual: time.toISOString() },
      );
    }
  }
}

import { requireDate, requireWindow } from './arguments.js';
import { TrustRootError, type TrustRootErrorDetail, where } from './errors.js';
import { parseRfc3339 } from './rfc3339.js';

/**
 * A closed time interval `[start, end]`. `start` undefined means "since forever" (only
 * for material that carries no window, such as a PEM key); `end` undefined means open-ended.
 */
export interface ValidityWindow {
  readonly start?: Date;
  readonly end?: Date;
}

export const UNBOUNDED: ValidityWindow = Object.freeze({});

/** True when `at` lies inside the window (both ends inclusive). */
export function isWithin(window: ValidityWindow, at: Date): boolean {
  requireWindow('isWithin', 'window', window);
  requireDate('isWithin', 'at', at);
  const t = at.getTime();
  if (Number.isNaN(t)) return false; // an invalid date lies in no window
  if (window.start && t < window.start.getTime()) return false;
  if (window.end && t > window.end.getTime()) return false;
  return true;
}

/**
 * Read a trusted_root.json timestamp strictly (see {@link parseRfc3339}): an impossible date
 * such as `2021-02-31T24:00:00Z` is refused rather than shifted to another instant.
 */
export function parseTimestamp(value: string, detail: TrustRootErrorDetail): Date {
  const date = parseRfc3339(value);
  if (date === undefined) {
    throw new TrustRootError(
      'VALIDITY_INVALID',
      `${where(detail)}not a valid RFC 3339 timestamp: ${JSON.stringify(value)}`,
      {
        ...detail,
        expected:
          'RFC 3339 timestamp with a real calendar date, hours 00-23, minutes and seconds 00-59, offset within +-23:59',
        actual: value,
      },
    );
  }
  return date;
}

/**
 * Read a trusted_root.json `validFor`: absent means unbounded; present without `start` is
 * an error (a window must say when it begins); `end` before `start` is an error.
 */
export function parseValidFor(
  raw: { start?: string; end?: string } | undefined,
  detail: TrustRootErrorDetail,
): ValidityWindow {
  if (raw === undefined) return UNBOUNDED;
  if (raw.start === undefined) {
    throw new TrustRootError('VALIDITY_INVALID', `${where(detail)}validFor has no start`, {
      ...detail,
      expected: 'validFor.start',
      actual: raw,
    });
  }
  const start = parseTimestamp(raw.start, { ...detail, path: `${detail.path}/start` });
  if (raw.end === undefined) return Object.freeze({ start });
  const end = parseTimestamp(raw.end, { ...detail, path: `${detail.path}/end` });
  if (end.getTime() < start.getTime()) {
    throw new TrustRootError(
      'VALIDITY_INVALID',
      `${where(detail)}validFor ends (${raw.end}) before it starts (${raw.start})`,
      { ...detail, expected: 'end >= start', actual: raw },
    );
  }
  return Object.freeze({ start, end });
}

import { TrustRootError, type TrustRootErrorDetail, where } from './errors.js';

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
  const t = at.getTime();
  if (Number.isNaN(t)) return false; // an invalid date lies in no window
  if (window.start && t < window.start.getTime()) return false;
  if (window.end && t > window.end.getTime()) return false;
  return true;
}

/** RFC 3339 timestamp as protobuf JSON writes it (`Z` or offset, optional fraction). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(value: string, detail: TrustRootErrorDetail): Date {
  const date = RFC3339.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new TrustRootError(
      'VALIDITY_INVALID',
      `${where(detail)}not an RFC 3339 timestamp: ${JSON.stringify(value)}`,
      { ...detail, expected: 'RFC 3339 timestamp', actual: value },
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

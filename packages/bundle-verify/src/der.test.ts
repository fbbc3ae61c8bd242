import { createFulcioChain } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { parseSigningCertificate } from './certificate.js';
import { DerError, decodeTime, readTlv, utcTime } from './der.js';
import { BundleVerifyError } from './errors.js';

/** A DER UTCTime (0x17) or GeneralizedTime (0x18) TLV holding `text`. */
function timeTlv(tag: 0x17 | 0x18, text: string): Uint8Array {
  const body = Buffer.from(text, 'latin1');
  return new Uint8Array([tag, body.length, ...body]);
}

const decode = (tag: 0x17 | 0x18, text: string) => {
  const der = timeTlv(tag, text);
  return decodeTime(der, readTlv(der, 0));
};

describe('decodeTime', () => {
  it.each([
    [0x17, '240101000000Z', '2024-01-01T00:00:00.000Z'],
    [0x17, '491231235959Z', '2049-12-31T23:59:59.000Z'],
    [0x17, '500101000000Z', '1950-01-01T00:00:00.000Z'],
    [0x17, '240229120000Z', '2024-02-29T12:00:00.000Z'],
    [0x18, '20500101000000Z', '2050-01-01T00:00:00.000Z'],
    [0x18, '20000229000000Z', '2000-02-29T00:00:00.000Z'],
    [0x18, '00500301000000Z', '0050-03-01T00:00:00.000Z'],
    [0x18, '99991231235959Z', '9999-12-31T23:59:59.000Z'],
  ] as const)('reads tag %i %s', (tag, text, iso) => {
    expect(decode(tag, text).toISOString()).toBe(iso);
  });

  it.each([
    [0x17, '210231000000Z', 'February 31'],
    [0x17, '230431000000Z', 'April 31'],
    [0x17, '230229000000Z', 'leap day of 2023'],
    [0x17, '231301000000Z', 'month 13'],
    [0x17, '230001000000Z', 'month 0'],
    [0x17, '230100000000Z', 'day 0'],
    [0x17, '230601240000Z', 'hour 24'],
    [0x17, '230601236000Z', 'minute 60'],
    [0x17, '230601235960Z', 'second 60'],
    [0x18, '19000229000000Z', 'leap day of 1900'],
    [0x18, '20210231240000Z', 'February 31 at hour 24'],
    [0x18, '20230601000000', 'no Z'],
    [0x17, '2306010000Z', 'no seconds'],
  ] as const)('refuses tag %i %s (%s)', (tag, text, _why) => {
    expect(() => decode(tag, text)).toThrow(DerError);
  });

  it('turns an impossible certificate validity date into CERTIFICATE_INVALID', () => {
    const leaf = createFulcioChain({ seed: 'der-time' }).leaf();
    const der = Buffer.from(leaf.der);
    // The leaf's notBefore is 2024-01-01 00:00:00 (UTCTime 240101000000Z): make it April 31.
    const at = der.indexOf(Buffer.from('240101000000Z', 'latin1'));
    expect(at).toBeGreaterThan(0);
    der.write('230431000000Z', at, 'latin1');
    const error = (() => {
      try {
        parseSigningCertificate(new Uint8Array(der));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BundleVerifyError);
    expect((error as BundleVerifyError).code).toBe('CERTIFICATE_INVALID');
    expect((error as BundleVerifyError).message).toMatch(/not a valid time/);
  });
});

// The calendar itself and its fast-check property are @flareo/internal's (calendar.ts).
describe('utcTime', () => {
  it('gives the instant of a real time, milliseconds included', () => {
    expect(utcTime(2024, 2, 29, 23, 59, 59, 999).toISOString()).toBe('2024-02-29T23:59:59.999Z');
    expect(utcTime(50, 3, 1, 0, 0, 0).toISOString()).toBe('0050-03-01T00:00:00.000Z');
  });

  it.each([
    ['February 31', [2021, 2, 31, 0, 0, 0, 0]],
    ['hour 24', [2023, 6, 1, 24, 0, 0, 0]],
    ['leap second 60', [2016, 12, 31, 23, 59, 60, 0]],
    ['millisecond 1000', [2023, 6, 1, 0, 0, 0, 1000]],
  ] as const)('refuses %s with a DerError', (_why, [y, mo, d, h, mi, s, ms]) => {
    expect(() => utcTime(y, mo, d, h, mi, s, ms)).toThrow(DerError);
    expect(() => utcTime(y, mo, d, h, mi, s, ms)).toThrow(/is not a real calendar time/);
  });
});

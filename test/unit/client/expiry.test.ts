import { describe, expect, it } from 'vitest';
import { parseExpiry } from '../../../client/cli/expiry.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

describe('parseExpiry (--expires)', () => {
  it.each([
    ['12h', NOW + 12 * HOUR],
    ['1H', NOW + HOUR],
    ['7d', NOW + 7 * 24 * HOUR],
    ['2w', NOW + 14 * 24 * HOUR],
    [' 30d ', NOW + 30 * 24 * HOUR],
  ])('reads the duration %j from now', (value, expected) => {
    expect(parseExpiry(value, NOW).getTime()).toBe(expected);
  });

  it.each([
    ['2026-12-31T00:00:00Z', '2026-12-31T00:00:00.000Z'],
    ['2026-12-31T00:00Z', '2026-12-31T00:00:00.000Z'],
    ['2026-12-31T09:30:00+02:00', '2026-12-31T07:30:00.000Z'],
    ['2026-12-31T23:59:59.5-05:00', '2027-01-01T04:59:59.500Z'],
  ])('reads the instant %j', (value, iso) => {
    expect(parseExpiry(value, NOW).toISOString()).toBe(iso);
  });

  it.each([
    ['0d', 'a zero duration'],
    ['7', 'a number without a unit'],
    ['7m', 'minutes (m reads as months to some)'],
    ['-1d', 'a negative duration'],
    ['1.5d', 'a fraction'],
    ['tomorrow', 'words'],
    ['2026-12-31', 'a date without a time and zone'],
    ['2026-12-31T00:00:00', 'a time without a zone'],
    ['2026-02-30T00:00:00Z', 'a day that does not exist'],
    ['2026-12-31T24:00:00Z', 'hour 24'],
    ['', 'nothing'],
  ])('refuses %j (%s) with USAGE and the accepted forms', (value) => {
    let error: unknown;
    try {
      parseExpiry(value, NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'USAGE',
      message: `Not an expiry: ${JSON.stringify(value)}. Use a duration from now (12h, 7d, 2w) or an ISO date-time with a zone (2026-12-31T00:00:00Z).`,
    });
  });
});

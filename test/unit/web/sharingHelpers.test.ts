import { describe, expect, it } from 'vitest';
import { expiryFromDate, localDate } from '../../../client/web/src/sharing/expiryDate.js';
import { fingerprintText } from '../../../client/web/src/sharing/fingerprintText.js';

describe('expiryFromDate', () => {
  const now = new Date(2027, 2, 15, 14, 30); // 15 March 2027, 14:30 in the test's time zone

  it('ends access at the last millisecond of the chosen day, in the reader’s time zone', () => {
    const result = expiryFromDate('2027-03-31', now);
    expect(result).toEqual({ expiresAt: new Date(2027, 2, 31, 23, 59, 59, 999).toISOString() });
  });

  it('accepts today (the day is not over) and rolls over month and year ends', () => {
    expect(expiryFromDate('2027-03-15', now)).toEqual({ expiresAt: new Date(2027, 2, 15, 23, 59, 59, 999).toISOString() });
    expect(expiryFromDate('2027-12-31', now)).toEqual({ expiresAt: new Date(2027, 11, 31, 23, 59, 59, 999).toISOString() });
  });

  it('refuses a day already over with a message', () => {
    expect(expiryFromDate('2027-03-14', now)).toEqual({ problem: 'The expiry date is in the past: choose today or a later day.' });
  });

  it('refuses what is not a calendar date', () => {
    for (const value of ['2027-13-01', '2027-00-10', '15/03/2027', 'tomorrow', '']) {
      expect(expiryFromDate(value, now)).toEqual({ problem: 'The expiry date is not a date: pick one from the calendar.' });
    }
  });

  it('writes a date input’s value for an instant', () => {
    expect(localDate(new Date(2027, 0, 5, 23, 0))).toBe('2027-01-05');
  });
});

describe('fingerprintText', () => {
  it('groups the hex in fours for reading aloud', () => {
    expect(fingerprintText('0123456789abcdef01')).toBe('0123 4567 89ab cdef 01');
  });
});

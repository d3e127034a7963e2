import { describe, expect, it } from 'vitest';
import { describeTransfer, formatRate } from '../../../client/cli/progress.js';

describe('formatRate', () => {
  it('shows MB/s from 1 MB/s up, kB/s and B/s below, never 0.0 MB/s for a small transfer', () => {
    expect(formatRate(147_300_000)).toBe('147 MB/s');
    expect(formatRate(2_345_678)).toBe('2.3 MB/s');
    expect(formatRate(1_000_000)).toBe('1.0 MB/s');
    expect(formatRate(999_999)).toBe('1000 kB/s');
    expect(formatRate(25_400)).toBe('25 kB/s');
    expect(formatRate(4_560)).toBe('4.6 kB/s');
    expect(formatRate(512)).toBe('512 B/s');
    expect(formatRate(0)).toBe('0 B/s');
  });

  it('a 40 kB upload in 0.2 s reads as 200 kB/s', () => {
    expect(describeTransfer({ bytes: 40_000, seconds: 0.2, bytesPerSecond: 200_000 })).toMatch(/ in 0\.2 s \(200 kB\/s\)$/);
  });
});

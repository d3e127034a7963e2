import { CofferError } from '../../shared/core/errors/index.js';

const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS };

/** ISO 8601 date-time with seconds optional and a zone required (`Z` or `+hh:mm`), as the server accepts. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export const EXPIRES_HELP = 'a duration from now (12h, 7d, 2w) or an ISO date-time with a zone (2026-12-31T00:00:00Z)';

/**
 * `--expires`: a whole number of hours, days or weeks from `now` (`12h`, `7d`, `2w`), or an
 * instant with an explicit zone. A date without a time or zone is refused rather than guessed.
 * The server decides whether the instant is acceptable (future, at most a year ahead).
 */
export function parseExpiry(value: string, now: number = Date.now()): Date {
  const text = value.trim();
  const duration = /^(\d{1,5})([hdw])$/i.exec(text);
  if (duration) {
    const amount = Number(duration[1]);
    if (amount > 0) return new Date(now + amount * UNIT_MS[duration[2]!.toLowerCase()]!);
  } else {
    const iso = ISO_INSTANT.exec(text);
    // Date() rolls 2026-02-30 over to March: check the calendar date first.
    if (iso && isCalendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))) return new Date(text);
  }
  throw new CofferError('USAGE', `Not an expiry: ${JSON.stringify(value)}. Use ${EXPIRES_HELP}.`);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

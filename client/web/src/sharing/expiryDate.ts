/**
 * A share's expiry from a date input (YYYY-MM-DD, the reader's calendar day): access ends at the
 * end of that day in the reader's time zone. A day already over is refused here, with a message,
 * before anything is sent (the server refuses it too, and anything more than a year ahead).
 */
export function expiryFromDate(value: string, now: Date): { expiresAt: string } | { problem: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
  // The first instant of the next day, less a millisecond (Date rolls month and year ends over).
  const end = new Date(year, month - 1, day + 1, 0, 0, 0, -1);
  if (Number.isNaN(end.getTime()) || month < 1 || month > 12 || day < 1 || day > 31) {
    return { problem: 'The expiry date is not a date: pick one from the calendar.' };
  }
  if (end.getTime() <= now.getTime()) return { problem: 'The expiry date is in the past: choose today or a later day.' };
  return { expiresAt: end.toISOString() };
}

/** YYYY-MM-DD of an instant in the reader's time zone (a date input's value). */
export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

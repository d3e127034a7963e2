/** A fingerprint as people compare it aloud: hex in groups of four (the stored value stays unbroken). */
export function fingerprintText(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint;
}

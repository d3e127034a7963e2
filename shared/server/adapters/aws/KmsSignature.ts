/**
 * KMS returns ECDSA signatures DER-encoded (RFC 3279 `ECDSA-Sig-Value`); JWS ES256 wants the
 * raw form r || s with each integer left-padded to 32 bytes (RFC 7518 §3.4).
 *
 * The parser is strict: it accepts exactly one canonical DER encoding and rejects anything
 * else (long-form lengths, negative or zero integers, superfluous leading zeros, integers
 * wider than the curve, trailing bytes). A malformed signature from KMS is a backend fault,
 * so the caller maps the `TypeError` thrown here to `ServiceUnavailable`.
 */

const P256_SCALAR_BYTES = 32;
const SEQUENCE = 0x30;
const INTEGER = 0x02;

export function derToJoseSignature(der: Uint8Array, scalarBytes = P256_SCALAR_BYTES): Uint8Array {
  // Both integers fit in 1 + scalarBytes bytes, so a well-formed SEQUENCE is always short
  // enough (< 128 bytes for P-256) to use a one-byte length.
  if (der.length < 8 || der[0] !== SEQUENCE || der[1] !== der.length - 2 || (der[1] ?? 0) >= 0x80) {
    throw new TypeError('malformed ECDSA signature');
  }
  const out = new Uint8Array(2 * scalarBytes);
  let offset = 2;
  for (const slot of [0, 1]) {
    if (der[offset] !== INTEGER) throw new TypeError('malformed ECDSA signature');
    const length = der[offset + 1] ?? 0;
    const start = offset + 2;
    const end = start + length;
    if (length === 0 || length > scalarBytes + 1 || end > der.length) {
      throw new TypeError('malformed ECDSA signature');
    }
    let value = der.subarray(start, end);
    const first = value[0] ?? 0;
    if (first & 0x80) throw new TypeError('malformed ECDSA signature'); // negative
    if (first === 0x00) {
      // A leading zero is only allowed (and required) to keep a high-bit value positive.
      if (value.length === 1 || ((value[1] ?? 0) & 0x80) === 0) {
        throw new TypeError('malformed ECDSA signature');
      }
      value = value.subarray(1);
    }
    if (value.length > scalarBytes) throw new TypeError('malformed ECDSA signature');
    // Left-pad: r or s is shorter than 32 bytes about once in 256 signatures.
    out.set(value, slot * scalarBytes + (scalarBytes - value.length));
    offset = end;
  }
  if (offset !== der.length) throw new TypeError('malformed ECDSA signature');
  return out;
}

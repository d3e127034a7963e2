import { ValidationFailed } from '../errors/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// A lone UTF-16 surrogate, which TextEncoder would silently turn into U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * UTF-8 bytes of a well-formed string. Strings with lone surrogates are rejected rather
 * than replaced, so two different strings never encode to the same bytes (labels, AAD).
 */
export function utf8Encode(text: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new ValidationFailed('Expected a string.');
  if (LONE_SURROGATE.test(text)) throw new ValidationFailed('The text is not well-formed Unicode (lone surrogate).');
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** Strict UTF-8 decoding: invalid sequences throw ValidationFailed instead of becoming U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ValidationFailed('The bytes are not valid UTF-8.');
  }
}

import { Option } from 'commander';
import { EXPIRES_HELP } from '../expiry.js';

/** `--expires <when>`, read with parseExpiry; `what` says what ends then. */
export function expiresOption(what: string): Option {
  return new Option('--expires <when>', `${what}: ${EXPIRES_HELP}`);
}

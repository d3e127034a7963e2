import { Option } from 'commander';
import { collectList } from '../format.js';

const USERS_HELP = 'accept the changed public key of USER (check its fingerprint with them first); repeatable';
const PRINCIPALS_HELP = 'accept the changed public key of USER or g:GROUPID (check its fingerprint first); repeatable';

/**
 * `--accept-new-key <user>` (repeatable, comma-separated): recipients whose changed key this
 * command may use. With `groups`, group keys (g:GROUPID) too (`coffer share`).
 */
export function acceptNewKeyOption(accepts: 'users' | 'groups' = 'users'): Option {
  const option = accepts === 'groups' ? new Option('--accept-new-key <id>', PRINCIPALS_HELP) : new Option('--accept-new-key <user>', USERS_HELP);
  return option.argParser(collectList);
}

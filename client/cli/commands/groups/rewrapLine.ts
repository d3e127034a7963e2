import type { RewrapResult } from '../../../sdk/groups.js';

/** What re-wrapping a group's grants for its new key did (`group remove`, `group rewrap`). */
export function rewrapLine(r: RewrapResult): string {
  const failed = r.failed.length ? `; ${r.failed.length} could not be opened (${r.failed.join(', ')})` : '';
  return `Re-wrapped ${r.rewrapped} grant(s) for key generation ${r.keyGeneration}${r.skipped ? ` (${r.skipped} already done by someone else)` : ''}${failed}.`;
}

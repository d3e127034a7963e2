import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.js';

/** The `prevHash` of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Attributes outside the hash: the key (checked against `shard` and `seq`, which are inside) and the hash itself. */
const UNHASHED: ReadonlySet<string> = new Set(['pk', 'sk', 'hash']);

/**
 * The hash of a stored audit event (docs/audit.md): SHA-256, hex, of the canonical JSON of every
 * attribute but `pk`, `sk` and `hash`. `shard`, `seq` and `prevHash` are inside, so the event is
 * bound to its position and predecessor; an attribute added, removed or changed changes it.
 * Throws TypeError for an attribute canonical JSON refuses (verify reports that as a modification).
 */
export function eventHash(item: Readonly<Record<string, unknown>>): string {
  const hashed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) if (!UNHASHED.has(name)) hashed[name] = value;
  return createHash('sha256').update(canonicalJson(hashed), 'utf8').digest('hex');
}

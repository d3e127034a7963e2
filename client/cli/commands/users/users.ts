import type { Command } from 'commander';
import { fingerprint, fromBase64Url } from '../../../../shared/core/crypto/index.js';
import type { CliContext } from '../../context.js';
import { table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

type PinState = 'pinned' | 'new' | 'changed' | 'mismatch';

/** `coffer users ID...`: names, fingerprints and whether they match your pins. */
export const users: CommandDefinition = (parent, { run }) => {
  parent
    .command('users')
    .description("look up users: names, key fingerprints and whether they match the fingerprints you pinned")
    .argument('<ids...>', 'user ids')
    .action((ids: string[], _flags: unknown, command: Command) => run(command, (ctx) => lookUpUsers(ctx, ids)));
};

async function lookUpUsers(ctx: CliContext, ids: string[]): Promise<void> {
  ctx.requireSession();
  const { users, unknownUserIds } = await ctx.client.lookupUsers(ids);
  const rows = await Promise.all(
    users.map(async (u) => {
      const computed = await fingerprint(fromBase64Url(u.publicKey));
      const pinned = await ctx.pins.get(u.userId);
      const pin: PinState =
        computed !== u.fingerprint ? 'mismatch' : pinned === undefined ? 'new' : pinned === computed ? 'pinned' : 'changed';
      return {
        userId: u.userId,
        name: u.name,
        ...(u.designation && { designation: u.designation }),
        kind: u.kind,
        fingerprint: u.fingerprint,
        pin,
        ...(pinned && pinned !== computed && { pinnedFingerprint: pinned }),
      };
    }),
  );
  ctx.output.result({ users: rows, unknownUserIds }, () => {
    const lines = rows.length
      ? [table(['USER', 'NAME', 'KIND', 'KEY', 'FINGERPRINT'], rows.map((r) => [r.userId, r.name, r.kind, r.pin, r.fingerprint]))]
      : [];
    if (unknownUserIds.length) lines.push(`Unknown: ${unknownUserIds.join(', ')}`);
    if (rows.some((r) => r.pin === 'changed')) {
      lines.push('A key marked "changed" differs from the one you pinned: verify it with its owner, then `coffer trust USER`.');
    }
    return lines.join('\n');
  });
}

import type { Command } from 'commander';
import type { PermissionEntry } from '../../../sdk/permissions.js';
import { table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { displayPrincipal } from './displayPrincipal.js';

const RANK: Record<string, number> = { owner: 5, manager: 4, editor: 3, commenter: 2, viewer: 1 };

/** `coffer perms ID`: who has access, at which level, and where it comes from. */
export const perms: CommandDefinition = (parent, { run }) => {
  parent
    .command('perms')
    .description('who has access to a document or folder, at which level, and where it comes from')
    .argument('<id>', 'document or folder id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const perms = await ctx.client.permissions(id);
        const entries = [...perms.entries].sort(
          (a, b) => (RANK[b.role] ?? 0) - (RANK[a.role] ?? 0) || a.principalId.localeCompare(b.principalId),
        );
        ctx.output.result({ ...perms, entries }, () =>
          [
            `${id}: owned by ${perms.ownerId}${perms.limited ? ', limited access (inherits nothing)' : ''}`,
            table(
              ['PRINCIPAL', 'KIND', 'LEVEL', 'SOURCE', 'EXPIRES'],
              entries.map((e) => [displayPrincipal(e.principalId), e.principalKind, e.role, sourceOf(e), e.expiresAt ?? '-']),
            ),
          ].join('\n'),
        );
      }),
    );
};

function sourceOf(entry: PermissionEntry): string {
  return entry.source === 'direct' ? 'direct' : `inherited from ${entry.inheritedFrom ?? '?'}`;
}

import type { Command } from 'commander';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { GroupPrincipal } from '../../../sdk/groups.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer group role ID PRINCIPAL admin|member` (admins). */
export const groupRole: CommandDefinition = (parent, { run }) => {
  parent
    .command('role')
    .description("change a member's role (admins); a group keeps at least one admin")
    .argument('<id>', 'group id')
    .argument('<principal>', 'a user id (or u:ID), or g:GROUP_ID')
    .argument('<role>', 'admin or member')
    .action((id: string, who: string, role: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        if (role !== 'admin' && role !== 'member') throw new CofferError('USAGE', `The role must be admin or member, not ${JSON.stringify(role)}.`);
        const result = await ctx.client.setGroupMemberRole(id, principalArg(who), role);
        ctx.output.result(result, () => `${result.principalId} is now ${result.role} of ${id}.`);
      }),
    );
};

/** `u:alice`, `g:<id>`, or a bare user id. */
function principalArg(value: string): GroupPrincipal {
  if (value.startsWith('g:')) return { groupId: value.slice(2) };
  return { userId: value.startsWith('u:') ? value.slice(2) : value };
}

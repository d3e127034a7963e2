import type { Command } from 'commander';
import { printable, table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer group show ID`: a group's name, key and size; its members if you are in it. */
export const groupShow: CommandDefinition = (parent, { run }) => {
  parent
    .command('show')
    .description("a group's name, key fingerprint and size; its members if you are in it")
    .argument('<id>', 'group id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const view = await ctx.client.getGroup(id);
        ctx.output.result(view, () => {
          const lines = [
            `${printable(view.name)} (${view.groupId})`,
            `key generation ${view.keyGeneration}, fingerprint ${view.fingerprint}`,
            `${view.memberCount} direct member(s)`,
          ];
          if (view.membership) lines.push(`you: ${view.membership.admin ? 'admin' : 'member'} (through ${view.membership.via})`);
          if (view.members) lines.push('', table(['MEMBER', 'ROLE', 'KIND'], view.members.map((m) => [m.principalId, m.role, m.kind])));
          return lines.join('\n');
        });
      }),
    );
};

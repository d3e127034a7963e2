import type { Command } from 'commander';
import { printable, table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer group show ID`: a group's name, key and size; its members and what it can reach if you are in it. */
export const groupShow: CommandDefinition = (parent, { run }) => {
  parent
    .command('show')
    .description("a group's name, key fingerprint and size; its members and what is shared with it if you are in it")
    .argument('<id>', 'group id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const view = await ctx.client.getGroup(id);
        // Members see what the group can reach (the server answers that to members only).
        const reach = view.members ? await ctx.client.listGroupReach(id) : undefined;
        ctx.output.result(reach ? { ...view, reach } : view, () => {
          const lines = [
            `${printable(view.name)} (${view.groupId})`,
            `key generation ${view.keyGeneration}, fingerprint ${view.fingerprint}`,
            `${view.memberCount} direct member(s)`,
          ];
          if (view.membership) lines.push(`you: ${view.membership.admin ? 'admin' : 'member'} (through ${view.membership.via})`);
          if (view.members) lines.push('', table(['MEMBER', 'ROLE', 'KIND'], view.members.map((m) => [m.principalId, m.role, m.kind])));
          if (reach) {
            lines.push('', reach.length === 0 ? 'Nothing is shared with this group yet.' : 'Shared with this group (a folder with all it holds):');
            if (reach.length > 0) {
              const rows = reach.map((r) => [r.nodeId, r.kind, r.role, r.name === undefined ? `<unreadable: ${r.nameError ?? 'DECRYPTION_FAILED'}>` : printable(r.name)]);
              lines.push(table(['ID', 'KIND', 'ROLE', 'NAME'], rows));
            }
          }
          return lines.join('\n');
        });
      }),
    );
};

import type { Command } from 'commander';
import type { GroupMemberSpec, GroupRole } from '../../../sdk/groups.js';
import { collectList } from '../../format.js';
import { acceptNewKeyOption } from '../../options/acceptNewKeyOption.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { type MemberFlags, principalsOf } from './principalsOf.js';

/** `coffer group add ID`: the group secret is wrapped here for each new member. */
export const groupAdd: CommandDefinition = (parent, { run }) => {
  parent
    .command('add')
    .description('add users and groups (admins): the group secret is wrapped here for each of them')
    .argument('<id>', 'group id')
    .option('--user <ids>', 'users to add (comma-separated or repeated)', collectList)
    .option('--group <ids>', 'groups to nest in this one (comma-separated or repeated)', collectList)
    .option('--admin', 'make them admins (users only; never guests)')
    .addOption(acceptNewKeyOption())
    .action((id: string, flags: MemberFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const role: GroupRole = flags.admin ? 'admin' : 'member';
        const specs: GroupMemberSpec[] = principalsOf(flags).map((p) => ({ ...p, role }));
        const result = await ctx.client.addGroupMembers(id, specs, { acceptNewKeyFor: flags.acceptNewKey ?? [] });
        ctx.output.result(result, () =>
          [
            result.added.length ? `Added ${result.added.join(', ')} (${result.memberCount} members now).` : 'Nobody was added.',
            ...(result.alreadyMembers.length ? [`Already members: ${result.alreadyMembers.join(', ')}.`] : []),
          ].join('\n'),
        );
      }),
    );
};

import type { Command } from 'commander';
import { collectList } from '../../format.js';
import { acceptNewKeyOption } from '../../options/acceptNewKeyOption.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { type MemberFlags, principalsOf } from './principalsOf.js';
import { rewrapLine } from './rewrapLine.js';

/** `coffer group remove ID`: rotates the group key, then re-wraps its grants. */
export const groupRemove: CommandDefinition = (parent, { run }) => {
  parent
    .command('remove')
    .description('remove users and groups (admins; yourself to leave): rotates the group key, then re-wraps its grants')
    .argument('<id>', 'group id')
    .option('--user <ids>', 'users to remove (comma-separated or repeated)', collectList)
    .option('--group <ids>', 'nested groups to remove (comma-separated or repeated)', collectList)
    .addOption(acceptNewKeyOption())
    .action((id: string, flags: MemberFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.removeGroupMembers(id, principalsOf(flags), { acceptNewKeyFor: flags.acceptNewKey ?? [] });
        ctx.output.result(result, () =>
          [
            result.removed.length ? `Removed ${result.removed.join(', ')}; the group key is now generation ${result.keyGeneration}.` : 'Nobody was removed.',
            ...(result.notMembers.length ? [`Not members: ${result.notMembers.join(', ')}.`] : []),
            ...(result.removed.length ? [rewrapLine(result.rewrap)] : []),
            ...(result.rewrap.failed.length ? ['Run `coffer group rewrap ' + id + '` after checking with the grants\' owners.'] : []),
          ].join('\n'),
        );
      }),
    );
};

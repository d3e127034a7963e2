import type { Command } from 'commander';
import { printable, table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer group ls`: the groups you are in. */
export const groupLs: CommandDefinition = (parent, { run }) => {
  parent
    .command('ls')
    .description('the groups you are in, directly or through another group')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const groups = await ctx.client.listGroups();
        const rows = groups.map((g) => ({
          groupId: g.groupId,
          name: g.name,
          keyGeneration: g.keyGeneration,
          memberCount: g.memberCount,
          via: g.via,
          ...(g.role && { role: g.role }),
        }));
        ctx.output.result({ groups: rows }, () =>
          rows.length === 0
            ? 'You are in no group yet: `coffer group create NAME`.'
            : table(
                ['ID', 'MEMBERS', 'KEY', 'ROLE', 'NAME'],
                rows.map((r) => [r.groupId, String(r.memberCount), `gen ${r.keyGeneration}`, r.role ?? `via ${r.via}`, printable(r.name)]),
              ),
        );
      }),
    );
};

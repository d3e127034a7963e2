import type { Command } from 'commander';
import { printable } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer group create NAME`: a group with you as its first admin. */
export const groupCreate: CommandDefinition = (parent, { run }) => {
  parent
    .command('create')
    .description('create a group with you as its first admin (the name is visible to the server)')
    .argument('<name>', 'group name (1-100 characters)')
    .action((name: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const created = await ctx.client.createGroup(name);
        ctx.output.result(created, () => `Created group ${printable(created.name)}: ${created.groupId} (key ${created.fingerprint.slice(0, 16)}...).`);
      }),
    );
};

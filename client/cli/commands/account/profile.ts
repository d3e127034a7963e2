import type { Command } from 'commander';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { profileLine } from './profileLine.js';

interface ProfileFlags {
  name?: string;
  email?: string | false;
  designation?: string | false;
}

/** `coffer profile`: change what others see of you. */
export const profile: CommandDefinition = (parent, { run }) => {
  parent
    .command('profile')
    .description('change your name, e-mail or job title (what others see in `coffer users`)')
    .option('--name <name>', 'display name')
    .option('--email <email>', 'email address')
    .option('--no-email', 'remove your email address')
    .option('--designation <title>', 'job title shown to others')
    .option('--no-designation', 'remove your job title')
    .action((flags: ProfileFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const changes = {
          ...(flags.name !== undefined && { name: flags.name }),
          ...(flags.email !== undefined && { email: flags.email === false ? null : flags.email }),
          ...(flags.designation !== undefined && { designation: flags.designation === false ? null : flags.designation }),
        };
        if (Object.keys(changes).length === 0) {
          throw new CofferError('USAGE', 'Nothing to change: give --name, --email or --designation (--no-email, --no-designation remove them).');
        }
        const me = await ctx.client.updateProfile(changes);
        ctx.output.result({ ...me, serverUrl: ctx.serverUrl }, () => `Profile updated: ${profileLine(me)}`);
      }),
    );
};

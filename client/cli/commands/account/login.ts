import type { Command } from 'commander';
import { obtainPassphrase } from '../../passphrase.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer login`: open a session with the passphrase. */
export const login: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('login')
    .description('log in (passphrase from a no-echo prompt, COFFER_PASSPHRASE or --passphrase-stdin)')
    .requiredOption('--user <id>', 'your user id')
    .option('--passphrase-stdin', 'read the passphrase from stdin')
    .action((flags: { user: string; passphraseStdin?: boolean }, command: Command) =>
      run(command, async (ctx) => {
        const passphrase = await obtainPassphrase(io, { fromStdin: flags.passphraseStdin === true, prompt: `Passphrase for ${flags.user}: ` });
        const profile = await ctx.client.login(flags.user, passphrase);
        ctx.output.result(
          { userId: profile.userId, name: profile.name, fingerprint: profile.fingerprint, serverUrl: ctx.serverUrl },
          () => `Logged in as ${profile.userId} (${profile.name}) on ${ctx.serverUrl}.`,
        );
      }),
    );
};

import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer invite`: a one-time code with which a guest registers. */
export const invite: CommandDefinition = (parent, { run }) => {
  parent
    .command('invite')
    .description('invite a guest (members only): prints a one-time code, valid 7 days')
    .option('--note <text>', 'who the invitation is for (kept with it, at most 200 characters)')
    .action((flags: { note?: string }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const invitation = await ctx.client.createInvitation(flags.note);
        ctx.output.result(invitation, () =>
          [
            `Invitation code (shown only this once, valid until ${invitation.expiresAt}):`,
            '',
            `    ${invitation.invitationCode}`,
            '',
            'Send it to the guest over a channel you trust. They register with:',
            `    coffer register --user ID --invitation ${invitation.invitationCode}`,
            'Guests see only what is shared with them, and everything they do is audited.',
          ].join('\n'),
        );
      }),
    );
};

import type { Command } from 'commander';
import { generatePassphrase } from '../../../../shared/core/crypto/index.js';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { CliContext } from '../../context.js';
import type { CliIo } from '../../io.js';
import { obtainPassphrase, readStdinPassphrase } from '../../passphrase.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { PASSPHRASE_WARNING } from './passphraseWarning.js';

interface PasswdFlags {
  passphraseStdin?: boolean;
  newPassphraseStdin?: boolean;
}

/** `coffer passwd`: change the passphrase; every other session is logged out. */
export const passwd: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('passwd')
    .description('change your passphrase (generates a strong one unless --new-passphrase-stdin); every other session is logged out')
    .option('--passphrase-stdin', 'read the current passphrase from stdin (else COFFER_PASSPHRASE or a prompt)')
    .option('--new-passphrase-stdin', 'read your own new passphrase from stdin (it must be strong)')
    .action((flags: PasswdFlags, command: Command) => run(command, (ctx) => changePassphrase(ctx, io, flags)));
};

async function changePassphrase(ctx: CliContext, io: CliIo, flags: PasswdFlags): Promise<void> {
  const session = ctx.requireSession();
  if (flags.passphraseStdin && flags.newPassphraseStdin) {
    throw new CofferError('USAGE', 'Only one passphrase can come from stdin: give the current one in COFFER_PASSPHRASE or at the prompt.');
  }
  const current = await obtainPassphrase(io, { fromStdin: flags.passphraseStdin === true, prompt: `Current passphrase for ${session.userId}: ` });
  let next: string;
  let generated: { entropyBits: number } | undefined;
  if (flags.newPassphraseStdin) next = await readStdinPassphrase(io, 'new passphrase');
  else {
    const fresh = generatePassphrase();
    next = fresh.passphrase;
    generated = { entropyBits: fresh.entropyBits };
  }
  try {
    await ctx.client.changePassphrase(current, next);
  } catch (error) {
    // The passphrase changed even though logging in again failed: a generated one must not be lost.
    if (generated && error instanceof CofferError && error.code === 'PASSPHRASE_CHANGED_NOT_LOGGED_IN') {
      io.stderr.write(`\nYour new passphrase: ${next}\n${PASSPHRASE_WARNING}\n\n`);
    }
    throw error;
  }
  ctx.output.result(
    {
      userId: session.userId,
      passphraseChanged: true,
      ...(generated && { passphrase: next, entropyBits: generated.entropyBits, warning: PASSPHRASE_WARNING }),
    },
    () =>
      [
        `Passphrase changed for ${session.userId}. Your other sessions are logged out; this one continues.`,
        'Your key pair is the same: what was shared with you still opens.',
        ...(generated ? ['', 'Your new passphrase:', '', `    ${next}`, '', PASSPHRASE_WARNING] : []),
      ].join('\n'),
  );
}

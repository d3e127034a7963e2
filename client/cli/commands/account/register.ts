import type { Command } from 'commander';
import { checkPassphraseStrength, generatePassphrase } from '../../../../shared/core/crypto/index.js';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { OwnProfile } from '../../../../shared/core/api/schemas/users.js';
import type { CliContext } from '../../context.js';
import type { CliIo } from '../../io.js';
import { readStdinPassphrase } from '../../passphrase.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { PASSPHRASE_WARNING } from './passphraseWarning.js';

interface RegisterFlags {
  user: string;
  name?: string;
  email?: string;
  designation?: string;
  passphraseStdin?: boolean;
  invitation?: string;
}

/** `coffer register`: create an account and log in. */
export const register: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('register')
    .description('create an account (generates a strong passphrase unless --passphrase-stdin) and log in')
    .requiredOption('--user <id>', 'user id: 2-64 of a-z 0-9 . _ -')
    .option('--name <name>', 'display name (default: the user id)')
    .option('--email <email>', 'email address')
    .option('--designation <title>', 'job title shown to others')
    .option('--passphrase-stdin', 'read your own passphrase from stdin (it must be strong)')
    .option('--invitation <code>', "register as a guest with a member's invitation code (`coffer invite`)")
    .action((flags: RegisterFlags, command: Command) => run(command, (ctx) => registerAccount(ctx, io, flags)));
};

async function registerAccount(ctx: CliContext, io: CliIo, flags: RegisterFlags): Promise<void> {
  const name = flags.name ?? flags.user;
  let passphrase: string;
  let generated: { entropyBits: number } | undefined;
  if (flags.passphraseStdin) {
    passphrase = await readStdinPassphrase(io);
    const strength = await checkPassphraseStrength(passphrase, [flags.user, name, flags.email ?? '', 'coffer']);
    if (!strength.ok) throw new CofferError('WEAK_PASSPHRASE', `Passphrase refused. ${strength.feedback}`);
  } else {
    const fresh = generatePassphrase();
    passphrase = fresh.passphrase;
    generated = { entropyBits: fresh.entropyBits };
  }
  let profile: OwnProfile;
  try {
    profile = await ctx.client.register({
      userId: flags.user,
      name,
      ...(flags.email !== undefined && { email: flags.email }),
      ...(flags.designation !== undefined && { designation: flags.designation }),
      ...(flags.invitation !== undefined && { invitationCode: flags.invitation }),
      passphrase,
    });
  } catch (error) {
    // The account exists even though login failed: the generated passphrase must not be lost.
    if (generated && error instanceof CofferError && error.code === 'REGISTERED_NOT_LOGGED_IN') {
      io.stderr.write(`\nYour passphrase: ${passphrase}\n${PASSPHRASE_WARNING}\n\n`);
    }
    throw error;
  }
  ctx.output.result(
    {
      userId: profile.userId,
      name: profile.name,
      kind: profile.kind,
      fingerprint: profile.fingerprint,
      serverUrl: ctx.serverUrl,
      ...(generated && { passphrase, entropyBits: generated.entropyBits, warning: PASSPHRASE_WARNING }),
    },
    () =>
      [
        `Registered ${profile.userId} (${profile.name})${profile.kind === 'guest' ? ' as a guest' : ''} on ${ctx.serverUrl}; you are logged in.`,
        `Key fingerprint: ${profile.fingerprint}`,
        ...(generated ? ['', 'Your passphrase:', '', `    ${passphrase}`, '', PASSPHRASE_WARNING] : []),
      ].join('\n'),
  );
}

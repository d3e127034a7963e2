import type { Command } from 'commander';
import { checkPassphraseStrength, generatePassphrase } from '../../../shared/core/crypto/index.js';
import { CofferError } from '../../../shared/core/errors/index.js';
import type { OwnProfile } from '../../../shared/core/api/schemas/users.js';
import type { CliIo } from '../io.js';
import { obtainPassphrase, readStdinPassphrase } from '../passphrase.js';
import type { Runner } from './Runner.js';

interface RegisterFlags {
  user: string;
  name?: string;
  email?: string;
  designation?: string;
  passphraseStdin?: boolean;
  invitation?: string;
}

const WARNING =
  'Write this passphrase down and keep it somewhere safe. It is shown only this once and cannot be recovered:\n' +
  'Coffer never stores it, and without it your private key, and every document shared with you, is lost for good.';

export function accountCommands(program: Command, run: Runner, io: CliIo): void {
  program
    .command('register')
    .description('create an account (generates a strong passphrase unless --passphrase-stdin) and log in')
    .requiredOption('--user <id>', 'user id: 2-64 of a-z 0-9 . _ -')
    .option('--name <name>', 'display name (default: the user id)')
    .option('--email <email>', 'email address')
    .option('--designation <title>', 'job title shown to others')
    .option('--passphrase-stdin', 'read your own passphrase from stdin (it must be strong)')
    .option('--invitation <code>', "register as a guest with a member's invitation code (`coffer invite`)")
    .action((flags: RegisterFlags, command: Command) =>
      run(command, async (ctx) => {
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
            io.stderr.write(`\nYour passphrase: ${passphrase}\n${WARNING}\n\n`);
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
            ...(generated && { passphrase, entropyBits: generated.entropyBits, warning: WARNING }),
          },
          () =>
            [
              `Registered ${profile.userId} (${profile.name})${profile.kind === 'guest' ? ' as a guest' : ''} on ${ctx.serverUrl}; you are logged in.`,
              `Key fingerprint: ${profile.fingerprint}`,
              ...(generated
                ? ['', 'Your passphrase:', '', `    ${passphrase}`, '', WARNING]
                : []),
            ].join('\n'),
        );
      }),
    );

  program
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

  program
    .command('logout')
    .description('end the session here and on the server')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        const result = await ctx.client.logout();
        ctx.output.result({ loggedOut: result.userId !== undefined, ...result }, () => {
          if (!result.userId) return 'Not logged in.';
          const warn = result.serverRevoked ? '' : ' (the server could not be told: the session there ends when it expires)';
          return `Logged out ${result.userId}${warn}.`;
        });
      }),
    );

  program
    .command('passwd')
    .description('change your passphrase (generates a strong one unless --new-passphrase-stdin); every other session is logged out')
    .option('--passphrase-stdin', 'read the current passphrase from stdin (else COFFER_PASSPHRASE or a prompt)')
    .option('--new-passphrase-stdin', 'read your own new passphrase from stdin (it must be strong)')
    .action((flags: { passphraseStdin?: boolean; newPassphraseStdin?: boolean }, command: Command) =>
      run(command, async (ctx) => {
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
            io.stderr.write(`\nYour new passphrase: ${next}\n${WARNING}\n\n`);
          }
          throw error;
        }
        ctx.output.result(
          {
            userId: session.userId,
            passphraseChanged: true,
            ...(generated && { passphrase: next, entropyBits: generated.entropyBits, warning: WARNING }),
          },
          () =>
            [
              `Passphrase changed for ${session.userId}. Your other sessions are logged out; this one continues.`,
              'Your key pair is the same: what was shared with you still opens.',
              ...(generated ? ['', 'Your new passphrase:', '', `    ${next}`, '', WARNING] : []),
            ].join('\n'),
        );
      }),
    );

  program
    .command('profile')
    .description('change your name, e-mail or job title (what others see in `coffer users`)')
    .option('--name <name>', 'display name')
    .option('--email <email>', 'email address')
    .option('--no-email', 'remove your email address')
    .option('--designation <title>', 'job title shown to others')
    .option('--no-designation', 'remove your job title')
    .action((flags: { name?: string; email?: string | false; designation?: string | false }, command: Command) =>
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
        ctx.output.result({ ...me, serverUrl: ctx.serverUrl }, () =>
          `Profile updated: ${me.userId}  ${me.name}${me.email ? ` <${me.email}>` : ''}${me.designation ? `, ${me.designation}` : ''}`,
        );
      }),
    );

  program
    .command('whoami')
    .description('show your profile')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const me = await ctx.client.whoami();
        ctx.output.result({ ...me, serverUrl: ctx.serverUrl }, () =>
          [
            `${me.userId}  ${me.name}${me.email ? ` <${me.email}>` : ''}${me.designation ? `, ${me.designation}` : ''}`,
            `fingerprint  ${me.fingerprint}`,
            `server       ${ctx.serverUrl}`,
            `since        ${me.createdAt}`,
          ].join('\n'),
        );
      }),
    );
}

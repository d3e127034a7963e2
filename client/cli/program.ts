import { Command, CommanderError } from 'commander';
import { accountCommands } from './commands/account.js';
import { auditCommands } from './commands/audit.js';
import { commentCommands } from './commands/comments.js';
import { documentCommands } from './commands/documents.js';
import { folderCommands } from './commands/folders.js';
import { groupCommands } from './commands/groups.js';
import { inviteCommands } from './commands/invite.js';
import { linkCommands } from './commands/links.js';
import { openCommands } from './commands/open.js';
import type { Runner } from './commands/Runner.js';
import { sharingCommands } from './commands/sharing.js';
import { userCommands } from './commands/users.js';
import { versionCommands } from './commands/versions.js';
import { CliContext, DEFAULT_SERVER, type GlobalOptions } from './context.js';
import { describeError } from './describeError.js';
import { EXIT, EXIT_CODES_HELP } from './exitCodes.js';
import { processIo, type CliIo } from './io.js';
import { Output } from './Output.js';

const ENVIRONMENT_HELP = `Environment:
  COFFER_URL         server URL (default ${DEFAULT_SERVER}, the one \`npm start\` serves)
  COFFER_HOME        profile directory with session.json and pins.json (default ~/.coffer);
                     use one per user to act as several users from one shell
  COFFER_PASSPHRASE  passphrase for \`login\` (prefer the prompt or --passphrase-stdin)
  COFFER_LINK_PASSWORD
                     password of a share link, for \`link create --password\` and \`open\`
  COFFER_ALLOW_WEAK_KDF=1
                     tests only: use and accept test-strength key derivation (accounts, link passwords)`;

/** `open`, `link create`: the subcommand names below the program. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Runs the CLI and returns the exit code (never calls process.exit). */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const json = argv.includes('--json');
  let exitCode: number = EXIT.OK;

  const runner: Runner = async (command, action) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    let ctx: CliContext | undefined;
    try {
      ctx = await CliContext.create(io, globals);
      await action(ctx);
    } catch (error) {
      const userId = ctx?.session?.userId ?? (command.opts<{ user?: string }>().user || undefined);
      const described = describeError(error, {
        serverUrl: ctx?.linkServerUrl ?? ctx?.serverUrl ?? globals.server ?? io.env.COFFER_URL ?? DEFAULT_SERVER,
        ...(userId && { userId }),
        command: commandPath(command),
      });
      (ctx?.output ?? new Output(json, io)).error(described.code, described.message, described.details);
      exitCode = described.exitCode;
    }
  };

  const program = new Command('coffer')
    .description('Coffer: zero-knowledge document sharing. Everything is encrypted and decrypted on this machine.')
    .option('--server <url>', `server URL (default: $COFFER_URL, else the session's server, else ${DEFAULT_SERVER})`)
    .option('--json', 'machine-readable output on stdout (errors too, as {"error":{code,message}})')
    .showHelpAfterError(!json)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        if (!json) write(text);
      },
    })
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`);

  accountCommands(program, runner, io);
  userCommands(program, runner);
  documentCommands(program, runner, io);
  versionCommands(program, runner, io);
  folderCommands(program, runner, io);
  groupCommands(program, runner);
  sharingCommands(program, runner);
  commentCommands(program, runner);
  inviteCommands(program, runner);
  linkCommands(program, runner, io);
  openCommands(program, runner, io);
  auditCommands(program, runner, io);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
    if (error.code === 'commander.help') return EXIT.USAGE; // `coffer` alone: help on stderr
    if (json) new Output(true, io).error('USAGE', error.message.replace(/^error: /, ''));
    return EXIT.USAGE;
  }
  return exitCode;
}

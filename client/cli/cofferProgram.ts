import { Command } from 'commander';
import { cofferCommands } from './commands/cofferCommands.js';
import type { CommandDeps } from './commands/CommandDefinition.js';
import { DEFAULT_SERVER } from './context.js';
import { EXIT_CODES_HELP } from './exitCodes.js';

/** Not a commander option: program options are recognised after a command too, and `download --version N` is the download's. */
const VERSION_HELP = `Version:
  coffer --version   print the version of coffer (alone, before any command)`;

const ENVIRONMENT_HELP = `Environment:
  COFFER_URL         server URL (default ${DEFAULT_SERVER}, the one \`npm start\` serves)
  COFFER_HOME        profile directory with session.json and pins.json (default ~/.coffer);
                     use one per user to act as several users from one shell
  COFFER_PASSPHRASE  passphrase for \`login\` (prefer the prompt or --passphrase-stdin)
  COFFER_LINK_PASSWORD
                     password of a share link, for \`link create --password\` and \`open\`
  COFFER_ALLOW_WEAK_KDF=1
                     tests only: use and accept test-strength key derivation (accounts, link passwords)`;

/**
 * The `coffer` program: global options, help and output settings, then every command. It
 * throws a CommanderError instead of exiting; with `json`, commander prints no usage errors
 * (the caller reports them as JSON).
 */
export function cofferProgram(deps: CommandDeps, json: boolean): Command {
  const { io } = deps;
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
    .addHelpText('after', `\n${VERSION_HELP}\n\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`);
  for (const define of cofferCommands) define(program, deps);
  // Set after the commands copied the setting: a command's usage error still shows its own (short)
  // help, while the program's (an unknown command) shows one line instead of every command.
  program.showHelpAfterError(json ? false : 'Run `coffer help` for the list of commands, `coffer help COMMAND` for one.');
  return program;
}

import { type Command, CommanderError } from 'commander';
import { cofferProgram } from './cofferProgram.js';
import type { Runner } from './commands/Runner.js';
import { CliContext, DEFAULT_SERVER, type GlobalOptions } from './context.js';
import { describeError } from './describeError.js';
import { EXIT } from './exitCodes.js';
import { processIo, type CliIo } from './io.js';
import { Output } from './Output.js';
import { COFFER_VERSION } from '../sdk/cofferVersion.js';

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
  const alone = argv.filter((a) => a !== '--json');
  if (alone.length === 1 && (alone[0] === '--version' || alone[0] === '-V')) {
    new Output(json, io).result({ version: COFFER_VERSION }, () => COFFER_VERSION);
    return EXIT.OK;
  }

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

  const program = cofferProgram({ run: runner, io }, json);

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

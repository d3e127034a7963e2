import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { Runner } from './Runner.js';

/** What the program gives every command: the runner (context, errors, exit code) and the process streams. */
export interface CommandDeps {
  readonly run: Runner;
  readonly io: CliIo;
}

/**
 * One `coffer` command: adds itself below `parent` with its arguments, options, help text and
 * action. It goes through `parent.command(...)`, not `addCommand`, so that it inherits the
 * program's output, exit and help-after-error settings.
 */
export type CommandDefinition = (parent: Command, deps: CommandDeps) => void;

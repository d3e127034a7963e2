import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Runs a command's action with its context; the program turns failures into output and an exit code. */
export type Runner = (command: Command, action: (ctx: CliContext) => Promise<void>) => Promise<void>;

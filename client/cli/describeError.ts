import { CommanderError } from 'commander';
import { CofferError, isErrorCode, type ErrorCode, type UnregisteredCode } from '../../shared/core/errors/index.js';
import { ERROR_MESSAGES, fallback, type ErrorContext } from './errorMessages.js';
import { EXIT } from './exitCodes.js';

export type { ErrorContext } from './errorMessages.js';

export interface DescribedError {
  code: ErrorCode | UnregisteredCode;
  message: string;
  exitCode: number;
  details?: Record<string, unknown>;
}

/** Maps any failure to a code, a message that says what to do, and an exit code. */
export function describeError(error: unknown, ctx: ErrorContext): DescribedError {
  if (error instanceof CommanderError) return { code: 'USAGE', message: error.message.replace(/^error: /, ''), exitCode: EXIT.USAGE };
  if (error instanceof CofferError) return describeCoffer(error, ctx);
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  if (errno === 'ENOENT') return { code: 'FILE_NOT_FOUND', message: `No such file or directory: ${path ?? ''}`.trim(), exitCode: EXIT.USAGE };
  if (errno === 'EACCES' || errno === 'EPERM') return { code: 'PERMISSION_DENIED', message: `Permission denied: ${path ?? ''}`.trim(), exitCode: EXIT.FAILURE };
  if (errno === 'EISDIR') return { code: 'IS_A_DIRECTORY', message: `${path ?? 'The path'} is a directory.`, exitCode: EXIT.USAGE };
  if (errno === 'ENOSPC') return { code: 'DISK_FULL', message: 'No space left on the device: nothing was saved.', exitCode: EXIT.FAILURE };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, exitCode: EXIT.FAILURE };
}

/** The registry's entry for the code; a code this build does not know gets the default. */
function describeCoffer(error: CofferError, ctx: ErrorContext): DescribedError {
  const describe = isErrorCode(error.code) && error.code in ERROR_MESSAGES ? ERROR_MESSAGES[error.code as keyof typeof ERROR_MESSAGES] : fallback;
  const { message, exitCode } = describe(error, ctx);
  return { code: error.code, message, exitCode, ...(error.details && { details: error.details }) };
}

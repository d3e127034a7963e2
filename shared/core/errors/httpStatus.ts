import { CofferError } from './CofferError.js';
import { ERROR_KINDS, type ClasslessKind, type ErrorKind } from './errorCodes.js';
import {
  Conflict,
  DecryptionFailed,
  Forbidden,
  Gone,
  NotFound,
  PayloadTooLarge,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  Unprocessable,
  UnsupportedMediaType,
  ValidationFailed,
} from './errors.js';

type ErrorClass = new (...args: never[]) => CofferError;

/** The class of every kind that has one; its status is the registry's (ERROR_KINDS). */
const CLASSES = {
  ValidationFailed,
  DecryptionFailed,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  Gone,
  PayloadTooLarge,
  UnsupportedMediaType,
  Unprocessable,
  TooManyRequests,
  ServiceUnavailable,
} satisfies Record<Exclude<ErrorKind, ClasslessKind>, ErrorClass>;

const STATUS: ReadonlyArray<[ErrorClass, number]> = Object.entries(CLASSES).map(([kind, type]) => [type, ERROR_KINDS[kind as keyof typeof CLASSES]]);

/** Any other error (a plain CofferError, a bug) is a 500. */
export function httpStatus(error: CofferError): number {
  for (const [type, status] of STATUS) if (error instanceof type) return status;
  return 500;
}

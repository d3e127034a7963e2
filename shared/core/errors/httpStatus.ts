import { CofferError } from './CofferError.js';
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

/** The one table mapping error classes to HTTP status codes. */
const STATUS: ReadonlyArray<[new (...args: never[]) => CofferError, number]> = [
  [ValidationFailed, 400],
  [Unauthorized, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Conflict, 409],
  [Gone, 410],
  [PayloadTooLarge, 413],
  [UnsupportedMediaType, 415],
  [Unprocessable, 422],
  [TooManyRequests, 429],
  [DecryptionFailed, 400],
  [ServiceUnavailable, 503],
];

export function httpStatus(error: CofferError): number {
  for (const [type, status] of STATUS) if (error instanceof type) return status;
  return 500;
}

import { CofferError } from '../../../core/errors/index.js';
import { errorResponse } from '../errorResponse.js';
import type { AreaMiddleware, AreaRequest } from './AreaRequest.js';

/** What is logged of a failure: names and codes only (SDK messages and stacks may carry keys, names or ids). */
export interface FailureLogEntry {
  routeKey: string;
  requestId: string | undefined;
  errorName: string;
  code: string | undefined;
}

export interface HttpErrorHandlerOptions {
  /** Where unexpected failures and those of 500 and above go; nowhere unless given. */
  logger?: (entry: FailureLogEntry) => Promise<void> | void;
}

const defaults: Required<HttpErrorHandlerOptions> = { logger: () => undefined };

/**
 * Every error becomes the stable JSON error of errorResponse.ts: a CofferError's status, code
 * and message below 500 (and SERVICE_UNAVAILABLE's), a fixed INTERNAL for anything else.
 * Unexpected failures and server faults are logged; a refusal (4xx) is the caller's, not logged.
 * Used first, so its onError runs last, after auditScope's.
 */
export function httpErrorHandler(opts: HttpErrorHandlerOptions = {}): AreaMiddleware {
  const { logger } = { ...defaults, ...opts };

  const httpErrorHandlerOnError = async (request: AreaRequest): Promise<void> => {
    const { error, event } = request;
    const response = errorResponse(error);
    if (!(error instanceof CofferError) || (response.statusCode ?? 500) >= 500) {
      await logger({
        routeKey: event.routeKey,
        requestId: event.requestContext?.requestId,
        errorName: error instanceof Error ? error.name : typeof error,
        code: error instanceof CofferError ? error.code : undefined,
      });
    }
    request.response = response;
  };

  return { name: 'httpErrorHandler', onError: httpErrorHandlerOnError };
}

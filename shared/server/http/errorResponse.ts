import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CofferError, httpStatus, ServiceUnavailable } from '../../core/errors/index.js';
import { jsonResponse } from './jsonResponse.js';

/**
 * Maps any error to `{ error: { code, message, details? } }`. Only CofferErrors
 * below 500 expose their message; an AWS call that timed out (clients.ts, AWS_TIMEOUTS) is 503
 * SERVICE_UNAVAILABLE, worth a retry; everything else is a fixed INTERNAL message,
 * so no stack trace, SDK message or secret reaches a client.
 */
export function errorResponse(thrown: unknown): APIGatewayProxyStructuredResultV2 {
  const error = timedOut(thrown) ? new ServiceUnavailable('A backing service did not answer in time: retry.') : thrown;
  if (error instanceof CofferError) {
    const status = httpStatus(error);
    if (status < 500 || error.code === 'SERVICE_UNAVAILABLE') {
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      if (error.details) body.details = error.details;
      return jsonResponse(status, { error: body });
    }
  }
  return jsonResponse(500, { error: { code: 'INTERNAL', message: 'Internal error: retry, and report the request id if it persists.' } });
}

/** The AWS SDK's request handler gives up with a TimeoutError (no answer, or no connection, in time). */
function timedOut(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

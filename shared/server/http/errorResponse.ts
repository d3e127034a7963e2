import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CofferError, httpStatus } from '../../core/errors/index.js';
import { jsonResponse } from './jsonResponse.js';

/**
 * Maps any error to `{ error: { code, message, details? } }`. Only CofferErrors
 * below 500 expose their message; everything else is a fixed INTERNAL message,
 * so no stack trace, SDK message or secret reaches a client.
 */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
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

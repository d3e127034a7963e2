import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { auditNote, inAuditScope } from '../audit/requestAudit.js';
import { jsonResponse } from './jsonResponse.js';
import { type AreaContext, areaState } from './middlewares/AreaRequest.js';
import { header } from './parseInput.js';

/**
 * The area's handler, after its middlewares (areaHandler.ts): the operation's audit note, then
 * the operation, on the validated input, inside the request's audit scope when it is audited.
 */
export async function runOperation(event: APIGatewayProxyEventV2, context: AreaContext): Promise<APIGatewayProxyStructuredResultV2> {
  const state = areaState({ context });
  const { operation: op, caller, signedIn, deps, audit } = state;
  if (!state.input) throw new Error('validateInput must run before the operation');
  const { params, query, body } = state.input;
  const run = async (): Promise<APIGatewayProxyStructuredResultV2> => {
    if (op.audit) auditNote(op.audit({ body, params, caller }));
    const result = await op.run({
      body,
      query,
      params,
      caller,
      signedIn,
      deps,
      request: {
        requestId: event.requestContext?.requestId ?? '',
        sourceIp: event.requestContext?.http?.sourceIp ?? '',
        userAgent: header(event, 'user-agent') ?? '',
      },
      http: { cookies: event.cookies ?? [], header: (name) => header(event, name) },
    });
    return jsonResponse(result.status ?? 200, result.body, result.cookies);
  };
  return audit ? inAuditScope(audit, run) : run();
}

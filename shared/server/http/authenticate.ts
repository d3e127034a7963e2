import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AccessTokens } from '../auth/AccessTokens.js';
import { Unauthorized } from '../../core/errors/index.js';
import type { Caller } from './Operation.js';
import { header } from './parseInput.js';

/** Bearer authentication: the Authorization header only, never a query string. */
export async function authenticate(event: APIGatewayProxyEventV2, tokens: AccessTokens): Promise<Caller> {
  const value = header(event, 'authorization');
  const match = value ? /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(value) : null;
  if (!match) throw new Unauthorized('MISSING_TOKEN', 'Send an access token: Authorization: Bearer <token>.');
  const claims = await tokens.verify(match[1]!);
  return { userId: claims.sub, kind: claims.kind };
}

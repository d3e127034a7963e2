import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Headers on every response: JSON only, never cached, never sniffed or framed. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export function jsonResponse(status: number, body?: unknown, cookies?: string[]): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...SECURITY_HEADERS },
    body: body === undefined ? '' : JSON.stringify(body),
    ...(cookies && cookies.length > 0 && { cookies }),
  };
}

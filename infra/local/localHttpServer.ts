import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AreaHandler } from '../../shared/server/http/areaHandler.js';
import { errorResponse } from '../../shared/server/http/errorResponse.js';
import { jsonResponse } from '../../shared/server/http/jsonResponse.js';
import { PayloadTooLarge, ValidationFailed } from '../../shared/core/errors/index.js';
import type { Area } from '../../shared/core/api/routes.js';
import { matchRoute } from './routeMatcher.js';
import { toApiGatewayEvent } from './toApiGatewayEvent.js';
import type { WebAppResponder } from './webAppFiles.js';

/** API Gateway's payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface LocalHttpServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2, extra: Record<string, string>): void {
  const headers: Record<string, string | string[]> = { ...extra };
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  // As API Gateway does with payload 2.0: each of the result's `cookies` is one Set-Cookie header.
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ?? '');
}

/** CORS as the HTTP API is configured on AWS: listed origins only, no credentials, bearer header allowed. */
function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'server-timing' };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new PayloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * A request Node's parser refuses before any handler sees it (a request line or headers over
 * its 16 KiB limit, malformed HTTP) gets the same JSON error shape as every other refusal,
 * instead of Node's bare status line.
 */
function refuseUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    error: tooLarge
      ? { code: 'REQUEST_TOO_LARGE', message: 'The request line and headers are too large (16 KiB at most).' }
      : { code: 'BAD_REQUEST', message: 'The request is not valid HTTP.' },
  });
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * The local stand-in for API Gateway: turns each request into an HTTP API v2
 * event, routes it with the shared route table and calls the very handler the
 * Lambda runs. It reports the handler's own time in a Server-Timing header.
 * With `webApp`, it also serves the web app on the same origin (CloudFront's role on AWS).
 */
export async function startLocalHttpServer(
  handlers: Record<Area, AreaHandler>,
  options: { host: string; port: number; corsOrigins: readonly string[]; webApp?: WebAppResponder },
): Promise<LocalHttpServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const cors = corsHeaders(req.headers.origin, options.corsOrigins);
      try {
        const url = new URL(req.url ?? '/', 'http://local');
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            ...cors,
            ...(cors['access-control-allow-origin']
              ? {
                  'access-control-allow-methods': 'GET,POST,PUT,DELETE',
                  'access-control-allow-headers': 'authorization,content-type',
                  'access-control-max-age': '600',
                }
              : {}),
          });
          res.end();
          return;
        }
        // The web app's pages and files first: none shares a path with the API (webAppFiles.ts).
        if (options.webApp && (req.method === 'GET' || req.method === 'HEAD')) {
          const file = await options.webApp(url.pathname);
          if (file) {
            res.writeHead(file.status, { ...file.headers, 'content-length': String(file.body.length) });
            res.end(req.method === 'HEAD' ? undefined : file.body);
            return;
          }
        }
        const match = matchRoute(req.method ?? 'GET', url.pathname);
        if (match.kind === 'not-found') return send(res, jsonResponse(404, { error: { code: 'ROUTE_NOT_FOUND', message: 'No such route.' } }), cors);
        if (match.kind === 'bad-path') return send(res, errorResponse(new ValidationFailed('Invalid path: a path parameter is not valid percent-encoded UTF-8.')), cors);
        if (match.kind === 'method-not-allowed') {
          return send(res, jsonResponse(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'This method is not allowed here.' } }), cors);
        }
        const body = await readBody(req);
        const event = toApiGatewayEvent(req, url, match.route, match.pathParameters, body);
        const started = performance.now();
        const result = await handlers[match.route.area](event, { awsRequestId: event.requestContext.requestId });
        const ms = (performance.now() - started).toFixed(2);
        send(res, result, { ...cors, 'server-timing': `app;dur=${ms}`, 'x-request-id': event.requestContext.requestId });
      } catch (error) {
        send(res, errorResponse(error), cors);
      }
    })();
  });
  server.on('clientError', refuseUnparsable);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

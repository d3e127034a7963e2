import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../../core/errors/index.js';

/** Request bodies are small JSON documents: document bytes go through presigned URLs. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Parses the JSON body of an HTTP API v2 event; absent body is `{}`. */
export function parseBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new PayloadTooLarge(`The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/json(\s*;|$)/i.test(contentType)) throw new UnsupportedMediaType();
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ValidationFailed('The request body is not valid JSON.');
  }
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * Validates one part of the request. The error lists field paths and messages,
 * never the submitted values (they may be secrets).
 */
export function validate<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ValidationFailed(`Invalid ${where}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { issues });
}

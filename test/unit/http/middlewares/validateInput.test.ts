import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../../../../shared/core/errors/index.js';
import { validateInput } from '../../../../shared/server/http/middlewares/validateInput.js';
import { type AnyOperation, operation } from '../../../../shared/server/http/Operation.js';
import { areaRequest, httpEvent, routeOf } from './areaRequest.js';

const SECRET = 'correct-horse-battery-staple';

const addComment = operation({
  params: z.object({ id: z.string().length(22) }),
  query: z.object({ limit: z.coerce.number().int().max(50).default(20) }),
  body: z.strictObject({ ciphertext: z.string().max(8) }),
  async run() {
    return {};
  },
});

function request(parts: Parameters<typeof httpEvent>[1], op: AnyOperation = addComment) {
  return areaRequest(httpEvent('POST /documents/{id}/comments', parts), { route: routeOf('addComment'), operation: op });
}

function refusal(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('validateInput', () => {
  it('hands the operation its path, query and body as the schemas output them', () => {
    // Prepare
    const req = request({ pathParameters: { id: 'A'.repeat(22) }, queryStringParameters: { limit: '5' }, body: '{"ciphertext":"abc"}' });
    // Act
    validateInput().before!(req);
    // Assess
    expect(req.context.coffer!.input).toEqual({ params: { id: 'A'.repeat(22) }, query: { limit: 5 }, body: { ciphertext: 'abc' } });
  });

  it('refuses an invalid body with its field paths, never the values sent', () => {
    // Prepare
    const req = request({ pathParameters: { id: 'A'.repeat(22) }, body: JSON.stringify({ ciphertext: SECRET }) });
    // Act
    const error = refusal(() => validateInput().before!(req));
    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'body.ciphertext' }] } });
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('checks the path before the query and the body', () => {
    // Prepare
    const req = request({ pathParameters: { id: 'short' }, queryStringParameters: { limit: 'many' }, body: 'not json' });
    // Act
    const error = refusal(() => validateInput().before!(req));
    // Assess
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^Invalid path: path\.id /) });
  });

  it('refuses a body that is not JSON, too large, or of another media type', () => {
    // Prepare
    const id = { id: 'A'.repeat(22) };
    const cases = [
      { parts: { pathParameters: id, body: '{"ciphertext":' }, expected: ValidationFailed, code: 'VALIDATION_FAILED' },
      { parts: { pathParameters: id, body: JSON.stringify({ ciphertext: 'a'.repeat(300 * 1024) }) }, expected: PayloadTooLarge, code: 'PAYLOAD_TOO_LARGE' },
      { parts: { pathParameters: id, body: '{}', headers: { 'content-type': 'text/plain' } }, expected: UnsupportedMediaType, code: 'UNSUPPORTED_MEDIA_TYPE' },
    ];
    for (const { parts, expected, code } of cases) {
      // Act
      const error = refusal(() => validateInput().before!(request(parts)));
      // Assess
      expect(error).toBeInstanceOf(expected);
      expect(error).toMatchObject({ code });
    }
  });

  it('never parses the body of an operation that takes none', () => {
    // Prepare
    const noBody = operation({ async run() { return {}; } });
    const req = request({ body: 'not json', headers: { 'content-type': 'text/plain' } }, noBody);
    // Act
    validateInput().before!(req);
    // Assess
    expect(req.context.coffer!.input).toEqual({ params: undefined, query: undefined, body: undefined });
  });
});

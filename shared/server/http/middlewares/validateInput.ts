import { parseBody, validate } from '../parseInput.js';
import { type AreaMiddleware, type AreaRequest, areaState } from './AreaRequest.js';

/**
 * The operation's input, checked against its zod schemas: path, then query, then body (parsed
 * only when the operation takes one). An invalid part is a 400 listing field paths, never the
 * values sent.
 */
export function validateInput(): AreaMiddleware {
  const validateInputBefore = (request: AreaRequest): void => {
    const state = areaState(request);
    const { event } = request;
    const op = state.operation;
    const params = validate(op.params, event.pathParameters ?? {}, 'path');
    const query = validate(op.query, event.queryStringParameters ?? {}, 'query');
    const body = validate(op.body, op.body ? parseBody(event) : {}, 'body');
    state.input = { params, query, body };
  };

  return { name: 'validateInput', before: validateInputBefore };
}

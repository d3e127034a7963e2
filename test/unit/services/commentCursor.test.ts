import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../../shared/core/errors/index.js';
import { commentCursor } from '../../../shared/server/services/comments/commentCursor.js';

const COMMENT_ID = '01JD0000000000000000000000';

describe('commentCursor', () => {
  it('gives back the comment id it encoded', () => {
    // Act
    const cursor = commentCursor.encode(COMMENT_ID);
    // Assess
    expect(cursor).not.toContain(COMMENT_ID);
    expect(commentCursor.decode(cursor)).toBe(COMMENT_ID);
  });

  it('refuses a cursor that does not hold a comment id', () => {
    // Prepare
    const forged = Buffer.from('GROUP#x', 'ascii').toString('base64url');
    // Act
    const error = (() => {
      try {
        commentCursor.decode(forged);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a refusal');
    })();
    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'The cursor is not valid: start again without it.' });
  });
});

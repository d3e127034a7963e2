import { describe, expect, it } from 'vitest';
import { describeError } from '../../../client/cli/describeError.js';
import { ERROR_MESSAGES } from '../../../client/cli/errorMessages.js';
import { CofferApiError } from '../../../client/sdk/errors.js';
import { isApiError } from '../../../client/sdk/retry.js';
import {
  CLIENT_ERROR_CODES,
  CofferError,
  Conflict,
  DecryptionFailed,
  ERROR_KINDS,
  Forbidden,
  Gone,
  httpStatus,
  InvalidLinkUrl,
  isErrorCode,
  kindsOf,
  NotFound,
  PayloadTooLarge,
  receivedCode,
  SERVER_ERROR_CODES,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  Unprocessable,
  UnsupportedMediaType,
  ValidationFailed,
  type ErrorCode,
  type ServerErrorCode,
} from '../../../shared/core/errors/index.js';
import { InvalidExpiry } from '../../../shared/server/services/links/linkErrors.js';
import { codeLiterals } from '../../helpers/errorCodeLiterals.js';
import { sourceFiles } from '../../helpers/imports/sourceFiles.js';

const serverCodes = Object.keys(SERVER_ERROR_CODES) as ServerErrorCode[];
const allCodes = [...serverCodes, ...Object.keys(CLIENT_ERROR_CODES)] as ErrorCode[];
const source = () => sourceFiles(['shared', 'functions', 'client', 'infra']).filter((f) => f.path.endsWith('.ts'));
const REGISTRY = 'shared/core/errors/errorCodes.ts';
const CLI_TABLE = 'client/cli/errorMessages.ts';

/** The statuses the API answered with before the registry (README, "Error codes"): no code may move. */
const STATUS_BEFORE: Record<number, string[]> = {
  400: ['VALIDATION_FAILED', 'INVALID_LINK_URL', 'INVALID_EXPIRY', 'DECRYPTION_FAILED', 'BAD_REQUEST'],
  401: [
    'UNAUTHORIZED', 'MISSING_TOKEN', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'INVALID_CREDENTIALS', 'INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED', 'REFRESH_COOKIE_MISSING',
    'SESSION_REVOKED', 'UNKNOWN_USER', 'LINK_PASSWORD_REQUIRED', 'LINK_PASSWORD_WRONG', 'LINK_SIGN_IN_REQUIRED',
  ],
  403: [
    'FORBIDDEN', 'NOT_OWNER', 'CANNOT_VIEW', 'CANNOT_COMMENT', 'CANNOT_EDIT', 'CANNOT_SHARE', 'CANNOT_MANAGE', 'LEVEL_TOO_HIGH', 'CANNOT_REVOKE_OWNER',
    'GUEST_FORBIDDEN', 'NOT_GROUP_ADMIN', 'NOT_COMMENT_AUTHOR', 'NOT_AN_AUDITOR', 'LINK_MEMBERS_ONLY', 'LINK_USER_NOT_ALLOWED', 'CSRF_HEADER_MISSING', 'CROSS_SITE_REQUEST',
  ],
  404: [
    'NOT_FOUND', 'DOCUMENT_NOT_FOUND', 'FOLDER_NOT_FOUND', 'NODE_NOT_FOUND', 'GROUP_NOT_FOUND', 'MEMBER_NOT_FOUND', 'COMMENT_NOT_FOUND',
    'VERSION_NOT_FOUND', 'UPLOAD_NOT_FOUND', 'OBJECT_NOT_FOUND', 'LINK_NOT_FOUND', 'ROUTE_NOT_FOUND',
  ],
  405: ['METHOD_NOT_ALLOWED'],
  409: [
    'CONFLICT', 'USER_EXISTS', 'DOCUMENT_EXISTS', 'FOLDER_EXISTS', 'GROUP_EXISTS', 'COMMENT_EXISTS', 'LINK_EXISTS', 'ALREADY_SHARED', 'NOT_SHARED',
    'ALREADY_MEMBER', 'STALE_PUBLIC_KEY', 'KEY_CHANGED', 'KEY_GENERATION_STALE', 'KEY_ROTATION_REQUIRED', 'KEY_GENERATION_CHANGED',
    'KEY_GENERATION_MISMATCH', 'PARENT_KEY_CHANGED', 'GROUP_KEY_CHANGED', 'GRANTEES_CHANGED', 'DOCUMENT_CHANGED', 'FOLDER_CHANGED', 'LINK_CHANGED',
    'PASSPHRASE_CHANGED', 'UPLOAD_MISSING', 'UPLOAD_ALREADY_COMPLETED', 'CONCURRENT_UPDATE', 'ARCHIVE_CURSOR_MOVED', 'CHECKPOINT_EXISTS', 'LAST_ADMIN',
  ],
  410: ['LINK_EXPIRED', 'LINK_EXHAUSTED', 'LINK_STALE'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  422: [
    'UNKNOWN_USERS', 'UNKNOWN_PRINCIPALS', 'BAD_EXPIRY', 'NEW_OWNER_HAS_NO_KEY', 'ALREADY_OWNER', 'GUEST_CANNOT_OWN', 'GUEST_CANNOT_BE_ADMIN',
    'MOVE_CYCLE', 'NOT_A_FOLDER', 'NOT_A_DOCUMENT', 'NOT_IN_A_FOLDER', 'ALREADY_LIMITED', 'NOT_LIMITED', 'SAME_PARENT', 'TOO_DEEP', 'NESTING_TOO_DEEP',
    'GROUP_CYCLE', 'LAST_ADMIN', 'NOT_MEMBERS', 'INVALID_INVITATION', 'BAD_COMMENT_ID', 'SIZE_MISMATCH', 'UPLOAD_INCOMPLETE', 'TOO_MANY_GRANTS',
    'TOO_MANY_VERSIONS', 'ROTATION_INCOMPLETE', 'ROTATION_MISMATCH',
  ],
  429: ['TOO_MANY_REQUESTS', 'LINK_LOCKED'],
  431: ['REQUEST_TOO_LARGE'],
  500: ['INTERNAL'],
  503: ['SERVICE_UNAVAILABLE'],
};

describe('the error-code registry', () => {
  it('registers every code the source throws, answers or compares with', () => {
    // Prepare
    const files = source();

    // Act
    const literals = codeLiterals(files.filter((f) => f.path !== REGISTRY && f.path !== CLI_TABLE));

    // Assess
    expect(literals.length).toBeGreaterThan(250);
    expect(literals.filter((l) => !isErrorCode(l.code)).map((l) => `${l.path}: ${l.code}`)).toEqual([]);
  });

  it('holds no code that nothing outside it and the CLI table uses', () => {
    const text = source()
      .filter((f) => f.path !== REGISTRY && f.path !== CLI_TABLE)
      .map((f) => f.text)
      .join('\n');
    expect(allCodes.filter((code) => !text.includes(`'${code}'`))).toEqual([]);
  });

  it('finds codes at every kind of site, and leaves Node and DynamoDB codes alone', () => {
    const text = [
      "throw new Conflict('A_CODE', 'Message.');",
      "new CofferApiError(response.status, 'B_CODE', `The server …`);",
      "super('C_CODE', message);",
      "constructor(code: CodeOf<'Forbidden'> = 'D_CODE') {}",
      "override readonly code: CodeOf<'ValidationFailed'> = 'E_CODE';",
      "jsonResponse(405, { error: { code: 'F_CODE', message: 'No.' } });",
      "{ status: 429, errorCode: 'G_CODE' }",
      "view: ['H_CODE', 'You cannot view this.'],",
      "if (error.code === 'I_CODE') return;",
      "if (error.code !== 'J_CODE') throw error;",
      "case 'K_CODE':",
      "isApiError(error, 409, 'L_CODE')",
      // Not codes: Node's, DynamoDB's, table headers, words.
      "if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;",
      "const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';",
      "if (reasons[0]?.code === 'ConditionalCheckFailed') throw x;",
      "table(['KIND', 'SIZE', 'ID', 'NAME'], rows);",
      "new Set(['A', 'B']);",
    ].join('\n');
    expect(codeLiterals([{ path: 'x.ts', text }]).map((l) => l.code)).toEqual(
      ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'].map((c) => `${c}_CODE`),
    );
  });

  it('keeps the HTTP status of every error class', () => {
    expect(
      [
        new ValidationFailed(),
        new InvalidLinkUrl(),
        new InvalidExpiry(60),
        new DecryptionFailed(),
        new Unauthorized(),
        new Forbidden(),
        new NotFound(),
        new Conflict(),
        new Gone('LINK_EXPIRED', 'Expired.'),
        new PayloadTooLarge(),
        new UnsupportedMediaType(),
        new Unprocessable('SIZE_MISMATCH', 'Size.'),
        new TooManyRequests(),
        new ServiceUnavailable(),
        new CofferError('USAGE', 'A plain CofferError is a bug on the server.'),
      ].map((error) => [error.code, httpStatus(error)]),
    ).toEqual([
      ['VALIDATION_FAILED', 400],
      ['INVALID_LINK_URL', 400],
      ['INVALID_EXPIRY', 400],
      ['DECRYPTION_FAILED', 400],
      ['UNAUTHORIZED', 401],
      ['FORBIDDEN', 403],
      ['NOT_FOUND', 404],
      ['CONFLICT', 409],
      ['LINK_EXPIRED', 410],
      ['PAYLOAD_TOO_LARGE', 413],
      ['UNSUPPORTED_MEDIA_TYPE', 415],
      ['SIZE_MISMATCH', 422],
      ['TOO_MANY_REQUESTS', 429],
      ['SERVICE_UNAVAILABLE', 503],
      ['USAGE', 500],
    ]);
  });

  it('sends every server code with the status it had before the registry', () => {
    const byStatus: Record<number, string[]> = {};
    for (const code of serverCodes) for (const kind of kindsOf(code)) (byStatus[ERROR_KINDS[kind]] ??= []).push(code);
    expect(byStatus).toEqual(STATUS_BEFORE);
  });

  it('answers LAST_ADMIN with 422 up front and 409 when a concurrent change wins the guard', () => {
    expect(httpStatus(new Unprocessable('LAST_ADMIN', 'Last admin.'))).toBe(422);
    expect(httpStatus(new Conflict('LAST_ADMIN', 'Last admin.'))).toBe(409);
  });

  it('keeps the server and client codes apart', () => {
    expect(Object.keys(CLIENT_ERROR_CODES).filter((code) => code in SERVER_ERROR_CODES)).toEqual([]);
  });

  it('carries a newer server code as it came, and knows no inherited property as a code', () => {
    expect(receivedCode('LINK_EXPIRED')).toBe('LINK_EXPIRED');
    expect(receivedCode('SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(['LINK_EXPIRED', 'USAGE', 'SOMETHING_NEW', 'constructor', 'toString', '__proto__'].map(isErrorCode)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("the CLI's messages", () => {
  it("have an entry for every registered code but the web app's own, and for nothing else", () => {
    const webOnly = new Set(Object.keys(CLIENT_ERROR_CODES).filter((code) => CLIENT_ERROR_CODES[code as keyof typeof CLIENT_ERROR_CODES] === 'web'));
    expect(webOnly.size).toBeGreaterThan(0);
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual(allCodes.filter((code) => !webOnly.has(code)).sort());
  });

  it("describe a newer server's code by its status, with the server's message", () => {
    // Prepare
    const ctx = { serverUrl: 'https://coffer.example.com', userId: 'alice' };
    const newer = (status: number) => new CofferApiError(status, receivedCode('SOMETHING_NEW'), 'The server says why.');

    // Act
    const described = [401, 409, 500].map((status) => describeError(newer(status), ctx));

    // Assess
    expect(described).toEqual([
      { code: 'SOMETHING_NEW', message: 'The server says why. (run `coffer login --user alice`)', exitCode: 3 },
      { code: 'SOMETHING_NEW', message: 'The server says why.', exitCode: 7 },
      { code: 'SOMETHING_NEW', message: 'The server says why.', exitCode: 1 },
    ]);
  });
});

/**
 * Compile-time checks: `npx tsc --noEmit` covers test/, and fails on an `@ts-expect-error`
 * line that compiles. Never called.
 */
export function misspeltOrMisplacedCodesDoNotCompile(error: CofferError, wire: string): void {
  // @ts-expect-error a misspelt code
  void new Conflict('CONCURENT_UPDATE');
  // @ts-expect-error a 404 code thrown as a 409
  void new Conflict('DOCUMENT_NOT_FOUND');
  // @ts-expect-error a 409 code thrown as a 422
  void new Unprocessable('KEY_CHANGED', 'Changed.');
  // @ts-expect-error a code nobody registered
  void new CofferError('NOT_A_REGISTERED_CODE', 'Message.');
  // @ts-expect-error a string off the wire must go through receivedCode
  void new CofferApiError(400, wire, 'Message.');
  // @ts-expect-error the status does not go with the code
  void isApiError(error, 404, 'CONCURRENT_UPDATE');
  // @ts-expect-error a misspelt code in a comparison helper
  void isApiError(error, 409, 'CONCURRENT_UPDATES');
  // @ts-expect-error a misspelt code is no ErrorCode
  const misspelt: ErrorCode = 'VALIDATION_FAILD';
  void misspelt;

  // The right ones compile, LAST_ADMIN under both of its kinds.
  void new Conflict('CONCURRENT_UPDATE');
  void new Conflict('LAST_ADMIN');
  void new Unprocessable('LAST_ADMIN', 'Last admin.');
  void new CofferApiError(400, receivedCode(wire), 'Message.');
  void isApiError(error, 409, 'LAST_ADMIN');
}

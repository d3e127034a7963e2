/**
 * Every error code Coffer uses: the one registry. A code is part of the public API (never rename
 * one). Throw sites, the SDK and the CLI take their codes from here, so a misspelt code, or a code
 * thrown with the wrong class, does not compile, and the CLI's messages must name every code.
 */

/**
 * The kinds of server error and their HTTP status: the one status table (`httpStatus` reads it).
 * Each kind down to ServiceUnavailable is a class of errors.ts; the last four are answers the HTTP
 * layer writes itself, without a class.
 */
export const ERROR_KINDS = {
  ValidationFailed: 400,
  DecryptionFailed: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  Gone: 410,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Unprocessable: 422,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  BadHttpRequest: 400,
  MethodNotAllowed: 405,
  HeadersTooLarge: 431,
  Internal: 500,
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;
/** The kinds the HTTP layer answers with itself: no class carries them. */
export type ClasslessKind = 'BadHttpRequest' | 'MethodNotAllowed' | 'HeadersTooLarge' | 'Internal';

/**
 * Every code the server sends, with the kind (so the class and status) that carries it. A code
 * has one kind, except LAST_ADMIN: 422 when the check up front refuses, 409 when a concurrent
 * change wins the write's own guard.
 */
export const SERVER_ERROR_CODES = {
  // 400
  VALIDATION_FAILED: 'ValidationFailed',
  INVALID_LINK_URL: 'ValidationFailed',
  INVALID_EXPIRY: 'ValidationFailed',
  DECRYPTION_FAILED: 'DecryptionFailed',
  BAD_REQUEST: 'BadHttpRequest',
  // 401
  UNAUTHORIZED: 'Unauthorized',
  MISSING_TOKEN: 'Unauthorized',
  INVALID_TOKEN: 'Unauthorized',
  TOKEN_EXPIRED: 'Unauthorized',
  INVALID_CREDENTIALS: 'Unauthorized',
  INVALID_REFRESH_TOKEN: 'Unauthorized',
  REFRESH_TOKEN_REUSED: 'Unauthorized',
  REFRESH_COOKIE_MISSING: 'Unauthorized',
  SESSION_REVOKED: 'Unauthorized',
  UNKNOWN_USER: 'Unauthorized',
  LINK_PASSWORD_REQUIRED: 'Unauthorized',
  LINK_PASSWORD_WRONG: 'Unauthorized',
  LINK_SIGN_IN_REQUIRED: 'Unauthorized',
  // 403
  FORBIDDEN: 'Forbidden',
  NOT_OWNER: 'Forbidden',
  CANNOT_VIEW: 'Forbidden',
  CANNOT_COMMENT: 'Forbidden',
  CANNOT_EDIT: 'Forbidden',
  CANNOT_SHARE: 'Forbidden',
  CANNOT_MANAGE: 'Forbidden',
  LEVEL_TOO_HIGH: 'Forbidden',
  CANNOT_REVOKE_OWNER: 'Forbidden',
  GUEST_FORBIDDEN: 'Forbidden',
  NOT_GROUP_ADMIN: 'Forbidden',
  NOT_COMMENT_AUTHOR: 'Forbidden',
  NOT_AN_AUDITOR: 'Forbidden',
  LINK_MEMBERS_ONLY: 'Forbidden',
  LINK_USER_NOT_ALLOWED: 'Forbidden',
  CSRF_HEADER_MISSING: 'Forbidden',
  CROSS_SITE_REQUEST: 'Forbidden',
  // 404
  NOT_FOUND: 'NotFound',
  DOCUMENT_NOT_FOUND: 'NotFound',
  FOLDER_NOT_FOUND: 'NotFound',
  NODE_NOT_FOUND: 'NotFound',
  GROUP_NOT_FOUND: 'NotFound',
  MEMBER_NOT_FOUND: 'NotFound',
  COMMENT_NOT_FOUND: 'NotFound',
  VERSION_NOT_FOUND: 'NotFound',
  UPLOAD_NOT_FOUND: 'NotFound',
  OBJECT_NOT_FOUND: 'NotFound',
  LINK_NOT_FOUND: 'NotFound',
  ROUTE_NOT_FOUND: 'NotFound',
  // 405
  METHOD_NOT_ALLOWED: 'MethodNotAllowed',
  // 409
  CONFLICT: 'Conflict',
  USER_EXISTS: 'Conflict',
  DOCUMENT_EXISTS: 'Conflict',
  FOLDER_EXISTS: 'Conflict',
  GROUP_EXISTS: 'Conflict',
  COMMENT_EXISTS: 'Conflict',
  LINK_EXISTS: 'Conflict',
  ALREADY_SHARED: 'Conflict',
  NOT_SHARED: 'Conflict',
  ALREADY_MEMBER: 'Conflict',
  STALE_PUBLIC_KEY: 'Conflict',
  KEY_CHANGED: 'Conflict',
  KEY_GENERATION_STALE: 'Conflict',
  KEY_ROTATION_REQUIRED: 'Conflict',
  KEY_GENERATION_CHANGED: 'Conflict',
  KEY_GENERATION_MISMATCH: 'Conflict',
  PARENT_KEY_CHANGED: 'Conflict',
  GROUP_KEY_CHANGED: 'Conflict',
  GRANTEES_CHANGED: 'Conflict',
  DOCUMENT_CHANGED: 'Conflict',
  FOLDER_CHANGED: 'Conflict',
  LINK_CHANGED: 'Conflict',
  PASSPHRASE_CHANGED: 'Conflict',
  UPLOAD_MISSING: 'Conflict',
  UPLOAD_ALREADY_COMPLETED: 'Conflict',
  CONCURRENT_UPDATE: 'Conflict',
  ARCHIVE_CURSOR_MOVED: 'Conflict',
  CHECKPOINT_EXISTS: 'Conflict',
  // 410
  LINK_EXPIRED: 'Gone',
  LINK_EXHAUSTED: 'Gone',
  LINK_STALE: 'Gone',
  // 413, 415
  PAYLOAD_TOO_LARGE: 'PayloadTooLarge',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaType',
  // 422
  UNKNOWN_USERS: 'Unprocessable',
  UNKNOWN_PRINCIPALS: 'Unprocessable',
  BAD_EXPIRY: 'Unprocessable',
  NEW_OWNER_HAS_NO_KEY: 'Unprocessable',
  ALREADY_OWNER: 'Unprocessable',
  GUEST_CANNOT_OWN: 'Unprocessable',
  GUEST_CANNOT_BE_ADMIN: 'Unprocessable',
  MOVE_CYCLE: 'Unprocessable',
  NOT_A_FOLDER: 'Unprocessable',
  NOT_A_DOCUMENT: 'Unprocessable',
  NOT_IN_A_FOLDER: 'Unprocessable',
  ALREADY_LIMITED: 'Unprocessable',
  NOT_LIMITED: 'Unprocessable',
  SAME_PARENT: 'Unprocessable',
  TOO_DEEP: 'Unprocessable',
  NESTING_TOO_DEEP: 'Unprocessable',
  GROUP_CYCLE: 'Unprocessable',
  LAST_ADMIN: ['Unprocessable', 'Conflict'],
  NOT_MEMBERS: 'Unprocessable',
  INVALID_INVITATION: 'Unprocessable',
  BAD_COMMENT_ID: 'Unprocessable',
  SIZE_MISMATCH: 'Unprocessable',
  UPLOAD_INCOMPLETE: 'Unprocessable',
  TOO_MANY_GRANTS: 'Unprocessable',
  TOO_MANY_VERSIONS: 'Unprocessable',
  ROTATION_INCOMPLETE: 'Unprocessable',
  ROTATION_MISMATCH: 'Unprocessable',
  // 429
  TOO_MANY_REQUESTS: 'TooManyRequests',
  LINK_LOCKED: 'TooManyRequests',
  // 431 (the local server only: API Gateway answers on its own)
  REQUEST_TOO_LARGE: 'HeadersTooLarge',
  // 500, 503
  INTERNAL: 'Internal',
  SERVICE_UNAVAILABLE: 'ServiceUnavailable',
} as const satisfies Record<string, ErrorKind | readonly ErrorKind[]>;

/**
 * Codes the server never sends: the SDK (`sdk`) or only the CLI (`cli`) raises them on the
 * client. A client may also raise a server code itself (NOT_IN_A_FOLDER before asking); those
 * stay in the server table.
 */
export const CLIENT_ERROR_CODES = {
  SERVER_UNREACHABLE: 'sdk',
  SERVER_ERROR: 'sdk',
  HTTP_ERROR: 'sdk',
  BAD_RESPONSE: 'sdk',
  NOT_LOGGED_IN: 'sdk',
  SESSION_EXPIRED: 'sdk',
  REGISTERED_NOT_LOGGED_IN: 'sdk',
  PASSPHRASE_CHANGED_NOT_LOGGED_IN: 'sdk',
  SAME_PASSPHRASE: 'sdk',
  WEAK_PASSPHRASE: 'sdk',
  WEAK_LINK_PASSWORD: 'sdk',
  WEAK_KDF: 'sdk',
  PRIVATE_KEY_UNREADABLE: 'sdk',
  KEY_FINGERPRINT_MISMATCH: 'sdk',
  KEY_PATH_MISMATCH: 'sdk',
  NOT_IN_GROUP: 'sdk',
  PARENT_NOT_ACCESSIBLE: 'sdk',
  MOVE_NEEDS_CONFIRMATION: 'sdk',
  STORAGE_ERROR: 'sdk',
  UPLOAD_PLAN_MISMATCH: 'sdk',
  INTEGRITY_MISMATCH: 'sdk',
  FILE_CHANGED: 'sdk',
  RESUME_REFUSED: 'sdk',
  FILE_EXISTS: 'sdk',
  NOT_A_FILE: 'sdk',
  PROFILE_FILE_INVALID: 'sdk',
  USAGE: 'cli',
  CANCELLED: 'cli',
  CONFIRMATION_REQUIRED: 'cli',
  OTHER_SERVER: 'cli',
  LINK_VIEW_ONLY: 'cli',
  AUDIT_LOG_INVALID: 'cli',
  FILE_NOT_FOUND: 'cli',
  PERMISSION_DENIED: 'cli',
  IS_A_DIRECTORY: 'cli',
  DISK_FULL: 'cli',
  WORKER_FAILED: 'web',
  DOWNLOAD_NOT_STARTED: 'web',
  DOWNLOAD_INTERRUPTED: 'web',
  DOWNLOAD_UNSUPPORTED: 'web',
  VIEW_TOO_LARGE: 'web',
  FILE_UNREADABLE: 'web',
  UNEXPECTED: 'web',
} as const satisfies Record<string, 'sdk' | 'cli' | 'web'>;

export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;
/** Codes only the web app raises (the CLI never meets them). */
export type WebErrorCode = { [C in ClientErrorCode]: (typeof CLIENT_ERROR_CODES)[C] extends 'web' ? C : never }[ClientErrorCode];
/** Every registered code. */
export type ErrorCode = ServerErrorCode | ClientErrorCode;

declare const unregistered: unique symbol;
/**
 * A code this build does not know: only a newer server sends one. It is still carried (the CLI
 * prints it), but no string becomes one except through `receivedCode`, so an error built from a
 * raw or misspelt string does not compile. (Being honest, `error.code === 'X'` compiles for any
 * X: test/unit/errors/errorCodes.test.ts checks the literals of such comparisons.)
 */
export type UnregisteredCode = string & { readonly [unregistered]: true };

type KindsOf<C extends ServerErrorCode> = (typeof SERVER_ERROR_CODES)[C] extends infer K
  ? K extends readonly (infer E)[]
    ? E
    : K
  : never;

/** The codes a kind may carry: `CodeOf<'Conflict'>` is what `new Conflict(code)` accepts. */
export type CodeOf<K extends ErrorKind> = { [C in ServerErrorCode]: K extends KindsOf<C> ? C : never }[ServerErrorCode];

/** The HTTP status (or statuses) a server code is sent with. */
export type StatusOf<C extends ServerErrorCode> = (typeof ERROR_KINDS)[KindsOf<C> & ErrorKind];

// The two tables never share a code (this line fails to compile if they do).
const disjoint: [Extract<ServerErrorCode, ClientErrorCode>] extends [never] ? true : never = true;
void disjoint;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(SERVER_ERROR_CODES, code) || Object.hasOwn(CLIENT_ERROR_CODES, code);
}

/** The one place a code read off the wire becomes a code: registered, or a newer server's own. */
export function receivedCode(code: string): ErrorCode | UnregisteredCode {
  return isErrorCode(code) ? code : (code as UnregisteredCode);
}

/** The kinds (usually one) a server code is sent as. */
export function kindsOf(code: ServerErrorCode): readonly ErrorKind[] {
  const kinds: ErrorKind | readonly ErrorKind[] = SERVER_ERROR_CODES[code];
  return typeof kinds === 'string' ? [kinds] : kinds;
}

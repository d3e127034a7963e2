import type { CofferError, ErrorCode, WebErrorCode } from '../../shared/core/errors/index.js';
import { CofferApiError } from '../sdk/errors.js';
import { EXIT } from './exitCodes.js';

export interface ErrorContext {
  serverUrl: string;
  /** The user the command ran as or for, if known (for `coffer login --user ID` hints). */
  userId?: string;
  /** The command that failed, e.g. `open` or `link create` (some errors read differently there). */
  command?: string;
}

/** What the CLI says for a failure: a message that says what to do, and the exit code. */
export interface ErrorMessage {
  message: string;
  exitCode: number;
}

export type DescribeCode = (error: CofferError, ctx: ErrorContext) => ErrorMessage;

const login = (ctx: ErrorContext) => `run \`coffer login --user ${ctx.userId ?? 'ID'}\``;
const newLink = 'ask whoever sent it for a new link';

/** The message as the error has it, with this exit code. */
const own = (exitCode: number): DescribeCode => (error) => ({ message: error.message, exitCode });
/** A fixed message. */
const say = (message: string, exitCode: number): DescribeCode => () => ({ message, exitCode });
/** The error's message followed by a hint. */
const hint = (text: string, exitCode: number): DescribeCode => (error) => ({ message: `${error.message} ${text}`, exitCode });

/** A server error the CLI has nothing special to say about: its exit code follows its HTTP status. */
function byStatus(error: CofferError, ctx: ErrorContext): ErrorMessage | undefined {
  if (!(error instanceof CofferApiError)) return undefined;
  if (error.status === 410) return { message: error.message, exitCode: EXIT.NOT_FOUND };
  if (error.status === 400 || error.status === 422) return { message: error.message, exitCode: EXIT.USAGE };
  if (error.status === 401) return { message: `${error.message} (${login(ctx)})`, exitCode: EXIT.AUTH };
  if (error.status === 404) return { message: error.message, exitCode: EXIT.NOT_FOUND };
  if (error.status === 409) return { message: error.message, exitCode: EXIT.CONFLICT };
  return undefined;
}

/** The default, also for a code this build does not know (a newer server's). */
export const fallback: DescribeCode = (error, ctx) => byStatus(error, ctx) ?? { message: error.message, exitCode: EXIT.FAILURE };
/** Bad input: the error says what is wrong. */
const usage: DescribeCode = (error, ctx) => byStatus(error, ctx) ?? { message: error.message, exitCode: EXIT.USAGE };

const sessionInvalid: DescribeCode = (error, ctx) => ({
  message: `Your session is no longer valid (${error.message.replace(/\.$/, '')}): ${login(ctx)}.`,
  exitCode: EXIT.AUTH,
});
const documentNotFound = say('No such document, or you have no access to it.', EXIT.NOT_FOUND);
const askOwner = hint('Ask the owner.', EXIT.AUTH);
const askManager = hint('Ask the owner or a manager (for a group: an admin).', EXIT.AUTH);

/**
 * What the CLI says for every registered code (but the web app's own): a code without an entry, or
 * an entry for no code, does not compile. `fallback` is the explicit "nothing special".
 */
export const ERROR_MESSAGES: { readonly [C in Exclude<ErrorCode, WebErrorCode>]: DescribeCode } = {
  // Session and server
  NOT_LOGGED_IN: (_, ctx) => ({ message: `Not logged in: ${login(ctx)}.`, exitCode: EXIT.AUTH }),
  OTHER_SERVER: own(EXIT.AUTH),
  SESSION_EXPIRED: sessionInvalid,
  INVALID_TOKEN: sessionInvalid,
  MISSING_TOKEN: sessionInvalid,
  INVALID_REFRESH_TOKEN: sessionInvalid,
  UNKNOWN_USER: sessionInvalid,
  INVALID_CREDENTIALS: (_, ctx) =>
    ctx.command === 'passwd'
      ? { message: 'Wrong current passphrase: nothing was changed.', exitCode: EXIT.AUTH }
      : { message: 'Wrong user id or passphrase.', exitCode: EXIT.AUTH },
  PASSPHRASE_CHANGED: (_, ctx) => ({
    message: `The passphrase was changed meanwhile (another session): ${login(ctx)} with the new one.`,
    exitCode: EXIT.CONFLICT,
  }),
  PASSPHRASE_CHANGED_NOT_LOGGED_IN: own(EXIT.AUTH),
  SERVER_UNREACHABLE: (_, ctx) =>
    ctx.command === 'open'
      ? { message: `Cannot reach the server of this link at ${ctx.serverUrl}: check the URL, or try again later.`, exitCode: EXIT.UNREACHABLE }
      : {
          message: `Cannot reach the Coffer server at ${ctx.serverUrl}: is \`npm start\` running? Set COFFER_URL or --server.`,
          exitCode: EXIT.UNREACHABLE,
        },
  ROUTE_NOT_FOUND: (_, ctx) => ({
    message: `${ctx.serverUrl} does not look like a Coffer server (no such route): check COFFER_URL or --server.`,
    exitCode: EXIT.NOT_FOUND,
  }),
  TOO_MANY_REQUESTS: say('Too many attempts: wait a minute and retry.', EXIT.FAILURE),

  // Not found
  NOT_FOUND: documentNotFound,
  DOCUMENT_NOT_FOUND: documentNotFound,
  NODE_NOT_FOUND: say('No such document or folder, or you have no access to it.', EXIT.NOT_FOUND),
  UNKNOWN_USERS: hint('Check the ids with `coffer users ID...`.', EXIT.NOT_FOUND),
  UNKNOWN_PRINCIPALS: hint('Check user ids with `coffer users ID...` and group ids with their admins.', EXIT.NOT_FOUND),

  // Not allowed
  NOT_OWNER: askOwner,
  FORBIDDEN: askOwner,
  CANNOT_COMMENT: askManager,
  CANNOT_EDIT: askManager,
  NOT_COMMENT_AUTHOR: askManager,
  NOT_GROUP_ADMIN: askManager,
  CANNOT_SHARE: say('Your level does not let you share this (editors share only while the owner allows it): ask the owner or a manager.', EXIT.AUTH),
  CANNOT_MANAGE: say("Your level does not let you change or revoke others' access here: ask the owner or a manager.", EXIT.AUTH),
  LEVEL_TOO_HIGH: hint('Grant a lower level, or ask the owner or a manager.', EXIT.AUTH),
  CANNOT_REVOKE_OWNER: hint('See `coffer transfer ID USER`.', EXIT.AUTH),
  NOT_AN_AUDITOR: say(
    'Only auditors may do this (ask your administrator to add you to coffer:auditors; COFFER_AUDITORS on the local stack). You may export your own actions (--actor YOUR_ID) and the events of what you own (--resource ID).',
    EXIT.AUTH,
  ),
  GUEST_FORBIDDEN: (_, ctx) =>
    ctx.command?.startsWith('audit')
      ? { message: 'Guests cannot read the audit log.', exitCode: EXIT.AUTH }
      : { message: 'Guests cannot share, manage access, transfer ownership or change settings: ask a member with access.', exitCode: EXIT.AUTH },

  // Sharing and ownership
  ALREADY_SHARED: (error) => ({
    message: `Already shared with ${principalsIn(error) ?? 'them'}: change a level with \`coffer role ID PRINCIPAL LEVEL\`.`,
    exitCode: EXIT.CONFLICT,
  }),
  NOT_SHARED: (error) => ({
    message: `Not shared directly with ${principalsIn(error) ?? 'them'}: see \`coffer perms ID\` (access inherited from a folder is revoked on that folder).`,
    exitCode: EXIT.CONFLICT,
  }),
  CONCURRENT_UPDATE: say('Someone changed this at the same moment, and retrying did not help: run the command again.', EXIT.CONFLICT),
  BAD_EXPIRY: say('An expiry must be in the future and at most a year ahead, e.g. --expires 7d or --expires 2026-12-31T00:00:00Z.', EXIT.USAGE),
  NEW_OWNER_HAS_NO_KEY: say('The new owner must already hold the key: share it with them first (`coffer share ID USER`), then transfer.', EXIT.USAGE),
  GUEST_CANNOT_OWN: say('Guests cannot own documents or folders: transfer to a member.', EXIT.USAGE),

  // Keys and content
  KEY_CHANGED: (error) =>
    // The server's 409: the node got a new key (a folder made limited-access) while sharing.
    error instanceof CofferApiError
      ? { message: 'The key of this document or folder changed while you were sharing: run the command again.', exitCode: EXIT.CONFLICT }
      : { message: error.message, exitCode: EXIT.KEY_CHANGED },
  KEY_FINGERPRINT_MISMATCH: own(EXIT.KEY_CHANGED),
  DECRYPTION_FAILED: (_, ctx) =>
    ctx.command === 'open'
      ? {
          message:
            'Decryption failed: the link is incomplete or altered (copy the whole URL, including the part after #), ' +
            'or what it shares was tampered with. Nothing was saved.',
          exitCode: EXIT.FAILURE,
        }
      : { message: 'Decryption failed: the document or its key was altered, or was not made for you. Nothing was saved.', exitCode: EXIT.FAILURE },
  FILE_EXISTS: (error) => ({
    message: `${error.message.replace(/\.$/, '')}: add --force to replace it, or choose another path with -o.`,
    exitCode: EXIT.CONFLICT,
  }),

  // Audit and the CLI itself
  AUDIT_LOG_INVALID: own(EXIT.AUDIT_INVALID),
  CANCELLED: own(EXIT.CANCELLED),
  USAGE: usage,
  VALIDATION_FAILED: usage,
  WEAK_PASSPHRASE: usage,
  WEAK_LINK_PASSWORD: usage,
  SAME_PASSPHRASE: usage,

  // Share links (docs/links.md "Errors"): what went wrong with the link, and what to do.
  INVALID_LINK_URL: (error) => {
    // parseLinkUrl's messages are fixed and never echo the URL, which carries the token and secret.
    const extra = error.message.includes('after #') ? '' : ' Copy the whole URL, including the part after #.';
    return { message: `${error.message}${extra}`, exitCode: EXIT.USAGE };
  },
  LINK_NOT_FOUND: (_, ctx) => ({
    message:
      ctx.command === 'link revoke'
        ? 'No such link, or you may not revoke it: see the ids with `coffer link ls ID`.'
        : `No such link: it was revoked, never existed, or what it shared was deleted. If you were sent it, ${newLink}.`,
    exitCode: EXIT.NOT_FOUND,
  }),
  LINK_EXPIRED: say(`This link has expired: ${newLink}.`, EXIT.NOT_FOUND),
  LINK_EXHAUSTED: say(`This link has reached its download limit: ${newLink}.`, EXIT.NOT_FOUND),
  LINK_STALE: say(
    `This link no longer opens: the document or folder was given a new key after the link was made. ${capitalise(newLink)}.`,
    EXIT.NOT_FOUND,
  ),
  LINK_PASSWORD_REQUIRED: say(
    'This link has a password: type it in a terminal, pipe it with --password-stdin, or set COFFER_LINK_PASSWORD.',
    EXIT.AUTH,
  ),
  LINK_PASSWORD_WRONG: say('Wrong link password. Repeated wrong passwords lock the link for everyone for a while.', EXIT.AUTH),
  LINK_LOCKED: (error) => {
    const until = typeof error.details?.lockedUntil === 'string' ? error.details.lockedUntil : undefined;
    return {
      message: `Too many wrong passwords: the link is locked${until ? ` until ${until}` : ' for a while'}. Try again then, with the right password.`,
      exitCode: EXIT.AUTH,
    };
  },
  LINK_SIGN_IN_REQUIRED: (_, ctx) => ({
    message: `This link opens only for signed-in users: log in to ${ctx.serverUrl} (\`coffer login --user ID --server ${ctx.serverUrl}\`), then open it again.`,
    exitCode: EXIT.AUTH,
  }),
  LINK_MEMBERS_ONLY: say('This link opens only for members of the organisation, not for guests.', EXIT.AUTH),
  LINK_USER_NOT_ALLOWED: (_, ctx) => ({
    message: `This link opens only for the users it names, and ${ctx.userId ?? 'you'} ${ctx.userId ? 'is' : 'are'} not one of them: ask whoever sent it.`,
    exitCode: EXIT.AUTH,
  }),
  LINK_VIEW_ONLY: own(EXIT.AUTH),
  INVALID_EXPIRY: say(
    "A link's expiry must be in the future and within the server's maximum (90 days unless configured otherwise), e.g. --expires 7d.",
    EXIT.USAGE,
  ),
  KEY_GENERATION_MISMATCH: say('The key of this document or folder changed while the link was being made: run the command again.', EXIT.CONFLICT),

  // Nothing special: the exit code follows the HTTP status (server codes) or is a failure.
  BAD_REQUEST: fallback,
  UNAUTHORIZED: fallback,
  TOKEN_EXPIRED: fallback,
  REFRESH_TOKEN_REUSED: fallback,
  // The web app's cookie session: the CLI uses bearer tokens and never meets these.
  REFRESH_COOKIE_MISSING: fallback,
  CSRF_HEADER_MISSING: fallback,
  CROSS_SITE_REQUEST: fallback,
  SESSION_REVOKED: fallback,
  CANNOT_VIEW: fallback,
  FOLDER_NOT_FOUND: fallback,
  GROUP_NOT_FOUND: fallback,
  MEMBER_NOT_FOUND: fallback,
  COMMENT_NOT_FOUND: fallback,
  VERSION_NOT_FOUND: fallback,
  UPLOAD_NOT_FOUND: fallback,
  OBJECT_NOT_FOUND: fallback,
  METHOD_NOT_ALLOWED: fallback,
  CONFLICT: fallback,
  USER_EXISTS: fallback,
  DOCUMENT_EXISTS: fallback,
  FOLDER_EXISTS: fallback,
  GROUP_EXISTS: fallback,
  COMMENT_EXISTS: fallback,
  LINK_EXISTS: fallback,
  ALREADY_MEMBER: fallback,
  STALE_PUBLIC_KEY: fallback,
  KEY_GENERATION_STALE: fallback,
  KEY_ROTATION_REQUIRED: fallback,
  KEY_GENERATION_CHANGED: fallback,
  PARENT_KEY_CHANGED: fallback,
  GROUP_KEY_CHANGED: fallback,
  GRANTEES_CHANGED: fallback,
  DOCUMENT_CHANGED: fallback,
  FOLDER_CHANGED: fallback,
  LINK_CHANGED: fallback,
  UPLOAD_MISSING: fallback,
  UPLOAD_ALREADY_COMPLETED: fallback,
  ARCHIVE_CURSOR_MOVED: fallback,
  CHECKPOINT_EXISTS: fallback,
  PAYLOAD_TOO_LARGE: fallback,
  UNSUPPORTED_MEDIA_TYPE: fallback,
  ALREADY_OWNER: fallback,
  GUEST_CANNOT_BE_ADMIN: fallback,
  MOVE_CYCLE: fallback,
  NOT_A_FOLDER: fallback,
  NOT_A_DOCUMENT: fallback,
  NOT_IN_A_FOLDER: fallback,
  ALREADY_LIMITED: fallback,
  NOT_LIMITED: fallback,
  SAME_PARENT: fallback,
  TOO_DEEP: fallback,
  NESTING_TOO_DEEP: fallback,
  GROUP_CYCLE: fallback,
  LAST_ADMIN: fallback,
  NOT_MEMBERS: fallback,
  INVALID_INVITATION: fallback,
  BAD_COMMENT_ID: fallback,
  SIZE_MISMATCH: fallback,
  UPLOAD_INCOMPLETE: fallback,
  TOO_MANY_GRANTS: fallback,
  TOO_MANY_VERSIONS: fallback,
  ROTATION_INCOMPLETE: fallback,
  ROTATION_MISMATCH: fallback,
  REQUEST_TOO_LARGE: fallback,
  INTERNAL: fallback,
  SERVICE_UNAVAILABLE: fallback,
  SERVER_ERROR: fallback,
  HTTP_ERROR: fallback,
  BAD_RESPONSE: fallback,
  REGISTERED_NOT_LOGGED_IN: fallback,
  WEAK_KDF: fallback,
  PRIVATE_KEY_UNREADABLE: fallback,
  KEY_PATH_MISMATCH: fallback,
  NOT_IN_GROUP: fallback,
  PARENT_NOT_ACCESSIBLE: fallback,
  MOVE_NEEDS_CONFIRMATION: fallback,
  STORAGE_ERROR: fallback,
  UPLOAD_PLAN_MISMATCH: fallback,
  INTEGRITY_MISMATCH: fallback,
  FILE_CHANGED: fallback,
  RESUME_REFUSED: fallback,
  NOT_A_FILE: fallback,
  PROFILE_FILE_INVALID: fallback,
  CONFIRMATION_REQUIRED: fallback,
  FILE_NOT_FOUND: fallback,
  PERMISSION_DENIED: fallback,
  IS_A_DIRECTORY: fallback,
  DISK_FULL: fallback,
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `u:alice, g:…` from the server's details, users without their prefix. */
function principalsIn(error: CofferError): string | undefined {
  const ids = error.details?.principalIds;
  if (!Array.isArray(ids) || ids.length === 0) return undefined;
  return ids.map((p) => (typeof p === 'string' && p.startsWith('u:') ? p.slice(2) : String(p))).join(', ');
}

import { CommanderError } from 'commander';
import { CofferError } from '../../shared/core/errors/index.js';
import { CofferApiError } from '../sdk/errors.js';
import { EXIT } from './exitCodes.js';

export interface DescribedError {
  code: string;
  message: string;
  exitCode: number;
  details?: Record<string, unknown>;
}

export interface ErrorContext {
  serverUrl: string;
  /** The user the command ran as or for, if known (for `coffer login --user ID` hints). */
  userId?: string;
  /** The command that failed, e.g. `open` or `link create` (some errors read differently there). */
  command?: string;
}

/** Maps any failure to a code, a message that says what to do, and an exit code. */
export function describeError(error: unknown, ctx: ErrorContext): DescribedError {
  if (error instanceof CommanderError) return { code: 'USAGE', message: error.message.replace(/^error: /, ''), exitCode: EXIT.USAGE };
  if (error instanceof CofferError) return describeCoffer(error, ctx);
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  if (errno === 'ENOENT') return { code: 'FILE_NOT_FOUND', message: `No such file or directory: ${path ?? ''}`.trim(), exitCode: EXIT.USAGE };
  if (errno === 'EACCES' || errno === 'EPERM') return { code: 'PERMISSION_DENIED', message: `Permission denied: ${path ?? ''}`.trim(), exitCode: EXIT.FAILURE };
  if (errno === 'EISDIR') return { code: 'IS_A_DIRECTORY', message: `${path ?? 'The path'} is a directory.`, exitCode: EXIT.USAGE };
  if (errno === 'ENOSPC') return { code: 'DISK_FULL', message: 'No space left on the device: nothing was saved.', exitCode: EXIT.FAILURE };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, exitCode: EXIT.FAILURE };
}

function describeCoffer(error: CofferError, ctx: ErrorContext): DescribedError {
  const login = `run \`coffer login --user ${ctx.userId ?? 'ID'}\``;
  const d = (code: string, message: string, exitCode: number): DescribedError => ({
    code,
    message,
    exitCode,
    ...(error.details && { details: error.details }),
  });
  switch (error.code) {
    case 'NOT_LOGGED_IN':
      return d(error.code, `Not logged in: ${login}.`, EXIT.AUTH);
    case 'OTHER_SERVER':
      return d(error.code, error.message, EXIT.AUTH);
    case 'SESSION_EXPIRED':
    case 'INVALID_TOKEN':
    case 'MISSING_TOKEN':
    case 'INVALID_REFRESH_TOKEN':
    case 'UNKNOWN_USER':
      return d(error.code, `Your session is no longer valid (${error.message.replace(/\.$/, '')}): ${login}.`, EXIT.AUTH);
    case 'INVALID_CREDENTIALS':
      if (ctx.command === 'passwd') return d(error.code, 'Wrong current passphrase: nothing was changed.', EXIT.AUTH);
      return d(error.code, 'Wrong user id or passphrase.', EXIT.AUTH);
    case 'PASSPHRASE_CHANGED':
      return d(error.code, `The passphrase was changed meanwhile (another session): ${login} with the new one.`, EXIT.CONFLICT);
    case 'PASSPHRASE_CHANGED_NOT_LOGGED_IN':
      return d(error.code, error.message, EXIT.AUTH);
    case 'SERVER_UNREACHABLE':
      if (ctx.command === 'open') return d(error.code, `Cannot reach the server of this link at ${ctx.serverUrl}: check the URL, or try again later.`, EXIT.UNREACHABLE);
      return d(error.code, `Cannot reach the Coffer server at ${ctx.serverUrl}: is \`npm start\` running? Set COFFER_URL or --server.`, EXIT.UNREACHABLE);
    case 'NOT_FOUND':
    case 'DOCUMENT_NOT_FOUND':
      return d(error.code, 'No such document, or you have no access to it.', EXIT.NOT_FOUND);
    case 'NODE_NOT_FOUND':
      return d(error.code, 'No such document or folder, or you have no access to it.', EXIT.NOT_FOUND);
    case 'ROUTE_NOT_FOUND':
      return d(error.code, `${ctx.serverUrl} does not look like a Coffer server (no such route): check COFFER_URL or --server.`, EXIT.NOT_FOUND);
    case 'UNKNOWN_USERS':
      return d(error.code, `${error.message} Check the ids with \`coffer users ID...\`.`, EXIT.NOT_FOUND);
    case 'UNKNOWN_PRINCIPALS':
      return d(error.code, `${error.message} Check user ids with \`coffer users ID...\` and group ids with their admins.`, EXIT.NOT_FOUND);
    case 'NOT_OWNER':
    case 'FORBIDDEN':
      return d(error.code, `${error.message} Ask the owner.`, EXIT.AUTH);
    case 'CANNOT_COMMENT':
    case 'CANNOT_EDIT':
    case 'NOT_COMMENT_AUTHOR':
    case 'NOT_GROUP_ADMIN':
      return d(error.code, `${error.message} Ask the owner or a manager (for a group: an admin).`, EXIT.AUTH);
    case 'CANNOT_SHARE':
      return d(error.code, 'Your level does not let you share this (editors share only while the owner allows it): ask the owner or a manager.', EXIT.AUTH);
    case 'CANNOT_MANAGE':
      return d(error.code, "Your level does not let you change or revoke others' access here: ask the owner or a manager.", EXIT.AUTH);
    case 'LEVEL_TOO_HIGH':
      return d(error.code, `${error.message} Grant a lower level, or ask the owner or a manager.`, EXIT.AUTH);
    case 'CANNOT_REVOKE_OWNER':
      return d(error.code, `${error.message} See \`coffer transfer ID USER\`.`, EXIT.AUTH);
    case 'NOT_AN_AUDITOR':
      return d(
        error.code,
        'Only auditors may do this (ask your administrator to add you to coffer:auditors; COFFER_AUDITORS on the local stack). You may export your own actions (--actor YOUR_ID) and the events of what you own (--resource ID).',
        EXIT.AUTH,
      );
    case 'AUDIT_LOG_INVALID':
      return d(error.code, error.message, EXIT.AUDIT_INVALID);
    case 'GUEST_FORBIDDEN':
      if (ctx.command?.startsWith('audit')) return d(error.code, 'Guests cannot read the audit log.', EXIT.AUTH);
      return d(error.code, 'Guests cannot share, manage access, transfer ownership or change settings: ask a member with access.', EXIT.AUTH);
    case 'ALREADY_SHARED':
      return d(error.code, `Already shared with ${principalsIn(error) ?? 'them'}: change a level with \`coffer role ID PRINCIPAL LEVEL\`.`, EXIT.CONFLICT);
    case 'NOT_SHARED':
      return d(
        error.code,
        `Not shared directly with ${principalsIn(error) ?? 'them'}: see \`coffer perms ID\` (access inherited from a folder is revoked on that folder).`,
        EXIT.CONFLICT,
      );
    case 'CONCURRENT_UPDATE':
      return d(error.code, 'Someone changed this at the same moment, and retrying did not help: run the command again.', EXIT.CONFLICT);
    case 'BAD_EXPIRY':
      return d(error.code, 'An expiry must be in the future and at most a year ahead, e.g. --expires 7d or --expires 2026-12-31T00:00:00Z.', EXIT.USAGE);
    case 'NEW_OWNER_HAS_NO_KEY':
      return d(error.code, 'The new owner must already hold the key: share it with them first (`coffer share ID USER`), then transfer.', EXIT.USAGE);
    case 'GUEST_CANNOT_OWN':
      return d(error.code, 'Guests cannot own documents or folders: transfer to a member.', EXIT.USAGE);
    case 'KEY_CHANGED':
      // The server's 409: the node got a new key (a folder made limited-access) while sharing.
      if (error instanceof CofferApiError) {
        return d(error.code, 'The key of this document or folder changed while you were sharing: run the command again.', EXIT.CONFLICT);
      }
      return d(error.code, error.message, EXIT.KEY_CHANGED);
    case 'KEY_FINGERPRINT_MISMATCH':
      return d(error.code, error.message, EXIT.KEY_CHANGED);
    case 'FILE_EXISTS':
      return d(error.code, `${error.message.replace(/\.$/, '')}: add --force to replace it, or choose another path with -o.`, EXIT.CONFLICT);
    case 'DECRYPTION_FAILED':
      if (ctx.command === 'open') {
        return d(
          error.code,
          'Decryption failed: the link is incomplete or altered (copy the whole URL, including the part after #), ' +
            'or what it shares was tampered with. Nothing was saved.',
          EXIT.FAILURE,
        );
      }
      return d(
        error.code,
        'Decryption failed: the document or its key was altered, or was not made for you. Nothing was saved.',
        EXIT.FAILURE,
      );
    case 'CANCELLED':
      return d(error.code, error.message, EXIT.CANCELLED);
    case 'TOO_MANY_REQUESTS':
      return d(error.code, 'Too many attempts: wait a minute and retry.', EXIT.FAILURE);
    default: {
      const link = describeLinkError(error, ctx);
      if (link) return d(error.code, link.message, link.exitCode);
      break;
    }
  }
  if (error instanceof CofferApiError) {
    if (error.status === 410) return d(error.code, error.message, EXIT.NOT_FOUND);
    if (error.status === 400 || error.status === 422) return d(error.code, error.message, EXIT.USAGE);
    if (error.status === 401) return d(error.code, `${error.message} (${login})`, EXIT.AUTH);
    if (error.status === 404) return d(error.code, error.message, EXIT.NOT_FOUND);
    if (error.status === 409) return d(error.code, error.message, EXIT.CONFLICT);
  }
  if (error.code === 'VALIDATION_FAILED' || error.code === 'WEAK_PASSPHRASE' || error.code === 'SAME_PASSPHRASE' || error.code === 'USAGE') {
    return d(error.code, error.message, EXIT.USAGE);
  }
  return d(error.code, error.message, EXIT.FAILURE);
}

/** Share links (docs/links.md "Errors"): what went wrong with the link, and what to do. */
function describeLinkError(error: CofferError, ctx: ErrorContext): { message: string; exitCode: number } | undefined {
  const newLink = 'ask whoever sent it for a new link';
  switch (error.code) {
    case 'INVALID_LINK_URL': {
      // parseLinkUrl's messages are fixed and never echo the URL, which carries the token and secret.
      const hint = error.message.includes('after #') ? '' : ' Copy the whole URL, including the part after #.';
      return { message: `${error.message}${hint}`, exitCode: EXIT.USAGE };
    }
    case 'LINK_NOT_FOUND':
      return {
        message: ctx.command === 'link revoke'
          ? 'No such link, or you may not revoke it: see the ids with `coffer link ls ID`.'
          : `No such link: it was revoked, never existed, or what it shared was deleted. If you were sent it, ${newLink}.`,
        exitCode: EXIT.NOT_FOUND,
      };
    case 'LINK_EXPIRED':
      return { message: `This link has expired: ${newLink}.`, exitCode: EXIT.NOT_FOUND };
    case 'LINK_EXHAUSTED':
      return { message: `This link has reached its download limit: ${newLink}.`, exitCode: EXIT.NOT_FOUND };
    case 'LINK_STALE':
      return {
        message: `This link no longer opens: the document or folder was given a new key after the link was made. ${capitalise(newLink)}.`,
        exitCode: EXIT.NOT_FOUND,
      };
    case 'LINK_PASSWORD_REQUIRED':
      return {
        message: 'This link has a password: type it in a terminal, pipe it with --password-stdin, or set COFFER_LINK_PASSWORD.',
        exitCode: EXIT.AUTH,
      };
    case 'LINK_PASSWORD_WRONG':
      return { message: 'Wrong link password. Repeated wrong passwords lock the link for everyone for a while.', exitCode: EXIT.AUTH };
    case 'LINK_LOCKED': {
      const until = typeof error.details?.lockedUntil === 'string' ? error.details.lockedUntil : undefined;
      return {
        message: `Too many wrong passwords: the link is locked${until ? ` until ${until}` : ' for a while'}. Try again then, with the right password.`,
        exitCode: EXIT.AUTH,
      };
    }
    case 'LINK_SIGN_IN_REQUIRED':
      return {
        message: `This link opens only for signed-in users: log in to ${ctx.serverUrl} (\`coffer login --user ID --server ${ctx.serverUrl}\`), then open it again.`,
        exitCode: EXIT.AUTH,
      };
    case 'LINK_MEMBERS_ONLY':
      return { message: 'This link opens only for members of the organisation, not for guests.', exitCode: EXIT.AUTH };
    case 'LINK_USER_NOT_ALLOWED':
      return {
        message: `This link opens only for the users it names, and ${ctx.userId ?? 'you'} ${ctx.userId ? 'is' : 'are'} not one of them: ask whoever sent it.`,
        exitCode: EXIT.AUTH,
      };
    case 'LINK_VIEW_ONLY':
      return { message: error.message, exitCode: EXIT.AUTH };
    case 'INVALID_EXPIRY':
      return {
        message: "A link's expiry must be in the future and within the server's maximum (90 days unless configured otherwise), e.g. --expires 7d.",
        exitCode: EXIT.USAGE,
      };
    case 'KEY_GENERATION_MISMATCH':
      return { message: 'The key of this document or folder changed while the link was being made: run the command again.', exitCode: EXIT.CONFLICT };
    default:
      return undefined;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `u:alice, g:…` from the server's details, users without their prefix. */
function principalsIn(error: CofferError): string | undefined {
  const ids = error.details?.principalIds;
  if (!Array.isArray(ids) || ids.length === 0) return undefined;
  return ids.map((p) => (typeof p === 'string' && p.startsWith('u:') ? p.slice(2) : String(p))).join(', ');
}

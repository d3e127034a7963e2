import { CofferError } from '../../../../shared/core/errors/index.js';

/** Every failure the share panel can meet → a sentence that says what happened and what to do. */
export function sharingMessage(error: unknown): string {
  if (!(error instanceof CofferError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'SERVER_UNREACHABLE':
      return 'Cannot reach Coffer. Check your connection and try again.';
    case 'UNKNOWN_USERS':
    case 'UNKNOWN_PRINCIPALS':
      return 'No user with that id. Check the spelling: user ids are exact.';
    case 'GROUP_NOT_FOUND':
      return 'No such group.';
    case 'CANNOT_SHARE':
    case 'CANNOT_MANAGE':
    case 'GUEST_FORBIDDEN':
    case 'LEVEL_TOO_HIGH':
      return `You may not do this here: ${error.message}`;
    case 'CANNOT_REVOKE_OWNER':
      return 'The owner always keeps access: ownership must be transferred first.';
    case 'BAD_EXPIRY':
      return 'The expiry must be in the future and at most a year ahead.';
    case 'NOT_SHARED':
      return 'That access is not given directly here (it may come from a folder, or was already removed). The list is refreshed.';
    case 'KEY_FINGERPRINT_MISMATCH':
      return 'The server sent a key that does not match its own fingerprint: nothing was shared. Report this to your administrator.';
    case 'DOCUMENT_NOT_FOUND':
    case 'FOLDER_NOT_FOUND':
    case 'NODE_NOT_FOUND':
      return 'This item no longer exists, or you no longer have access to it.';
    case 'SESSION_EXPIRED':
    case 'NOT_LOGGED_IN':
      return 'Your session has ended: sign in again.';
    default:
      return error.message;
  }
}

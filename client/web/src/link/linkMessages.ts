import { CofferError } from '../../../../shared/core/errors/index.js';
import { formatInstant } from '../format.js';

/** What the link page says about a failure: a heading, what happened and what to do, and whether trying again can help. */
export interface LinkMessage {
  title: string;
  detail: string;
  retry: boolean;
}

const ASK_SENDER = 'Ask the person who sent it for a new link.';

/**
 * Every failure a link can meet, from the API (docs/links.md, "Errors"), the link's own crypto,
 * the download and the network, as a sentence for someone with no account and no terminal.
 * Never the URL, the secret or the password.
 */
export function linkMessage(error: unknown): LinkMessage {
  const code = error instanceof CofferError ? error.code : error instanceof DOMException && error.name === 'AbortError' ? 'CANCELLED' : undefined;
  const status = error instanceof CofferError && typeof (error as { status?: unknown }).status === 'number' ? (error as unknown as { status: number }).status : 0;
  switch (code) {
    case 'INVALID_LINK_URL':
      return {
        title: 'This link is incomplete',
        detail: 'The address is missing part of the link, or it was changed: a Coffer link ends with # and a long secret. Copy the whole link again. ' + ASK_SENDER,
        retry: false,
      };
    case 'LINK_NOT_FOUND':
      return { title: 'This link does not exist', detail: `It was revoked, or the shared item was deleted. ${ASK_SENDER}`, retry: false };
    case 'LINK_EXPIRED':
      return { title: 'This link has expired', detail: `Links only work until the expiry their creator chose. ${ASK_SENDER}`, retry: false };
    case 'LINK_EXHAUSTED':
      return { title: 'This link has been used up', detail: `It allowed a limited number of downloads, and all of them have been made. ${ASK_SENDER}`, retry: false };
    case 'LINK_STALE':
      return {
        title: 'This link no longer opens the file',
        detail: `The owner changed the file's key since the link was made (for example after removing someone's access). ${ASK_SENDER}`,
        retry: false,
      };
    case 'LINK_PASSWORD_WRONG':
      return { title: 'Wrong password', detail: 'That password does not open this link. Check it and try again: after 10 wrong attempts the link locks for 15 minutes.', retry: true };
    case 'LINK_LOCKED': {
      const until = (error as CofferError).details?.lockedUntil;
      return {
        title: 'This link is locked',
        detail: `Too many wrong passwords were tried. It opens again ${typeof until === 'string' ? `after ${formatInstant(until)}` : 'in 15 minutes'}.`,
        retry: true,
      };
    }
    case 'LINK_SIGN_IN_REQUIRED':
      return {
        title: 'This link is for Coffer users only',
        detail: 'Its creator allowed only signed-in users to open it. Sign in to open it.',
        retry: false,
      };
    case 'LINK_MEMBERS_ONLY':
      return { title: 'This link is for members of the organisation', detail: 'Guests cannot open it. ' + ASK_SENDER, retry: false };
    case 'LINK_USER_NOT_ALLOWED':
      return { title: 'This link is for other people', detail: 'Its creator allowed only some users to open it, and you are not one of them.', retry: false };
    case 'DECRYPTION_FAILED':
      return {
        title: 'This link does not open the file',
        detail: 'The secret in the link (the part after #) does not match the file: the link was changed or cut short when it was copied, or the data was tampered with. Nothing was saved. Copy the whole link again, or ' + ASK_SENDER.toLowerCase(),
        retry: false,
      };
    case 'INTEGRITY_MISMATCH':
      return {
        title: 'The file failed its integrity check',
        detail: 'What the storage returned is not what was uploaded, so the download was stopped. Delete the incomplete file your browser may have kept, and tell the sender.',
        retry: false,
      };
    case 'SERVER_UNREACHABLE':
      return { title: 'Cannot reach Coffer', detail: 'The server did not answer. Check your connection and try again.', retry: true };
    case 'STORAGE_ERROR':
      return { title: 'The download failed', detail: 'The encrypted file could not be fetched from storage, or the connection dropped. Try again.', retry: true };
    case 'DOWNLOAD_INTERRUPTED':
      return { title: 'The download was interrupted', detail: 'The connection dropped or the download was cancelled before the end: the file is incomplete. Try again.', retry: true };
    case 'DOWNLOAD_UNSUPPORTED':
      return {
        title: 'This browser cannot save the file',
        detail: 'Saving a decrypted file needs Service Workers, which this window does not allow (some private windows). Open the link in a normal window, or another browser.',
        retry: false,
      };
    case 'DOWNLOAD_NOT_STARTED':
      return { title: 'The browser did not start the download', detail: 'Allow downloads for this site, then try again.', retry: true };
    case 'CANCELLED':
      return { title: 'Cancelled', detail: 'Nothing was saved.', retry: true };
  }
  if (status >= 500 || code === 'SERVICE_UNAVAILABLE' || code === 'INTERNAL') {
    return { title: 'Coffer had a problem', detail: 'The server could not answer just now. Try again in a moment.', retry: true };
  }
  if (error instanceof TypeError) {
    return { title: 'The connection dropped', detail: 'The browser lost the connection to Coffer or to its storage. Try again.', retry: true };
  }
  return {
    title: 'Something went wrong',
    detail: error instanceof CofferError ? `${error.message} (${error.code})` : 'An unexpected error stopped the link from opening. Try again, or ask the sender for a new link.',
    retry: true,
  };
}

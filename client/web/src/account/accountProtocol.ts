import type { FilesRequest, FilesResult } from '../files/filesProtocol.js';
import type { SharingRequest, SharingResult } from '../sharing/sharingProtocol.js';
import type { LinksRequest, LinksResult } from '../shareLinks/linksProtocol.js';

/**
 * What the page and the account worker say to each other. The worker holds the signed-in
 * CofferClient (keys, tokens); the page sees only profiles, listings and errors.
 */
export type AccountRequest =
  | FilesRequest
  | SharingRequest
  | LinksRequest
  | { op: 'newPassphrase' }
  | { op: 'register'; userId: string; name: string; passphrase: string; chosen: boolean }
  | { op: 'login'; userId: string; passphrase: string; remember: boolean }
  | { op: 'resume' }
  | { op: 'strength'; passphrase: string; userInputs: string[] }
  /** `POST /links/open` with the signed-in user's token: the link page's one authenticated call (signedInTransport.ts). */
  | { op: 'openLink'; body: string }
  | { op: 'logout' };

export interface Profile {
  userId: string;
  name: string;
  /** Your own key's fingerprint (public), for others to compare when they share with you. */
  fingerprint: string;
}

/** The strength rule of the CLI (checkPassphraseStrength: zxcvbn, at least 12 characters and 75 bits). */
export interface Strength {
  ok: boolean;
  entropyBits: number;
  feedback: string;
}

export type AccountResult =
  | FilesResult
  | SharingResult
  | LinksResult
  | { passphrase: string }
  | { profile: Profile }
  /** `resume`: null when this browser remembers no device, or its session is over. */
  | { resumed: Profile | null }
  | { strength: Strength }
  /** The API's answer as it came, for the page's SDK to read (status and JSON text). */
  | { linkAnswer: { status: number; body: string } }
  | { done: true };

export type AccountReply = { id: number; result: AccountResult } | { id: number; error: { code: string; message: string } };

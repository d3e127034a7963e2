import type { FilesRequest, FilesResult } from '../files/filesProtocol.js';

/**
 * What the page and the account worker say to each other. The worker holds the signed-in
 * CofferClient (keys, tokens); the page sees only profiles, listings and errors.
 */
export type AccountRequest =
  | FilesRequest
  | { op: 'newPassphrase' }
  | { op: 'register'; userId: string; name: string; passphrase: string }
  | { op: 'login'; userId: string; passphrase: string }
  | { op: 'list' }
  | { op: 'logout' };

export interface Profile {
  userId: string;
  name: string;
}

export interface FileRow {
  documentId: string;
  kind: 'document' | 'folder';
  /** Undefined when the name could not be decrypted. */
  name: string | undefined;
  size: number;
  ownerId: string;
  role: string;
  createdAt: string;
}

export type AccountResult = FilesResult | { passphrase: string } | { profile: Profile } | { files: FileRow[] } | { done: true };

export type AccountReply = { id: number; result: AccountResult } | { id: number; error: { code: string; message: string } };

/** The Coffer SDK front door (runs in Node 20 and browsers). Node file helpers: `client/sdk/node`. */
export { ApiClient, TOKEN_EXPIRED, type ApiClientOptions, type FetchLike, type RequestOptions, type TokenProvider } from './ApiClient.js';
export type { ByteSource } from './byteStreams.js';
export { CofferClient, type CofferClientOptions } from './CofferClient.js';
export type { Tuning } from './ClientContext.js';
export type { DownloadOptions, DownloadResult } from './download.js';
export {
  CofferApiError,
  InvalidCredentialsError,
  KeyChangedError,
  KeyMismatchError,
  NotLoggedInError,
  PrivateKeyUnreadableError,
  RegisteredNotLoggedInError,
  ServerUnreachableError,
  SessionExpiredError,
  SizeMismatchError,
  StorageError,
  UnknownUsersError,
  UploadPlanError,
  WeakKdfError,
} from './errors.js';
export { MemoryKeyPinStore, type KeyPinStore } from './KeyPinStore.js';
export type { DocumentEntry, DocumentPage, ListOptions } from './listDocuments.js';
export { partCount, splitIntoParts } from './multipart.js';
export type { Recipient, TrustResult } from './Recipients.js';
export type { RegisterOptions } from './register.js';
export { safeFileName } from './safeFileName.js';
export { MemorySessionStore, type Session, type SessionStore } from './Session.js';
export type { RevokeResult, ShareOptions, ShareResult } from './share.js';
export type { TransferProgress, UploadOptions, UploadResult } from './upload.js';

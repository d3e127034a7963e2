/** The Coffer SDK front door (runs in Node 20 and browsers). Node file helpers: `client/sdk/node`. */
export type { ChangePassphraseOptions, ProfileChanges } from './account.js';
export { ApiClient, TOKEN_EXPIRED, type ApiClientOptions, type FetchLike, type RequestOptions, type TokenProvider } from './ApiClient.js';
export type { AuditCheckpointRun, AuditEvent, AuditEventQuery, AuditPageOptions, AuditReport } from './audit.js';
export type { ByteSource } from './byteStreams.js';
export { CofferClient, type CofferClientOptions } from './CofferClient.js';
export type { SessionMode, Tuning } from './ClientContext.js';
export type { LoginOptions } from './login.js';
export type { RememberedDevice } from './resumeSession.js';
export type { CommentEntry, CommentListOptions, CommentPage } from './comments.js';
export type { DownloadOptions, DownloadResult } from './download.js';
export {
  CofferApiError,
  IntegrityMismatchError,
  InvalidCredentialsError,
  KeyChangedError,
  KeyMismatchError,
  NotLoggedInError,
  PassphraseChangedNotLoggedInError,
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
/** Every code an SDK error may carry (a newer server's own arrives as an UnregisteredCode). */
export { isErrorCode, type ErrorCode, type UnregisteredCode } from '../../shared/core/errors/index.js';
export { GroupKeyring, NotInGroupError } from './GroupKeyring.js';
export type {
  AddMembersResult,
  GroupMemberOptions,
  GroupMemberSpec,
  GroupPrincipal,
  GroupRecipient,
  GroupRole,
  GroupView,
  KeyringGroup,
  RemoveMembersResult,
  RewrapResult,
} from './groups.js';
export { groupRecipient } from './groups.js';
export type {
  CreatedFolder,
  CreateFolderOptions,
  FolderChild,
  FolderInfo,
  FolderPage,
  ListFolderOptions,
  MoveOptions,
  MovePreview,
  MoveResult,
  OpenedNodeKey,
} from './folders.js';
export { MemoryKeyPinStore, type KeyPinStore } from './KeyPinStore.js';
export type {
  CreatedLink,
  CreateLinkOptions,
  LinkAccess,
  LinkAudience,
  LinkState,
  LinkSummary,
  ListLinksOptions,
} from './links.js';
export { openLink, type LinkedNode, type OpenedLink, type OpenLinkOptions } from './openLink.js';
export { linkContentStream, type LinkContent, type LinkContentOptions } from './linkContent.js';
export type { DocumentEntry, DocumentPage, DocumentSource, ListOptions } from './listDocuments.js';
export type { GroupReachEntry } from './groupReach.js';
export { sourceLabel } from './sourceLabel.js';
export { cutParts, partCount, PartBuffers, splitIntoParts, type CutPart } from './multipart.js';
export {
  GRANTABLE_ROLES,
  splitPrincipals,
  toPrincipalId,
  type AccessResult,
  type GrantableRole,
  type ListPermissionsResponse,
  type PermissionEntry,
  type SetRoleOptions,
  type SetRoleResult,
  type SettingsResult,
  type TransferResult,
} from './permissions.js';
export type { KeyStatus, Recipient, TrustResult } from './Recipients.js';
export type { RegisterOptions } from './register.js';
export { safeFileName } from './safeFileName.js';
export { MemorySessionStore, type Session, type SessionStore } from './Session.js';
export type { RevokeResult, ShareOptions, ShareRecipients, ShareResult } from './share.js';
export { sendContent, type JournalOptions, type SendContentOptions, type SentContent, type TransferProgress, type UploadOptions, type UploadResult } from './upload.js';
export { resumeUpload, type ResumeOptions, type ResumeResult, type ResumeSource } from './resume.js';
export { FileChangedError, ResumeRefusedError } from './uploadErrors.js';
export {
  MemoryUploadJournal,
  parseJournalEntry,
  type SourceIdentity,
  type UploadJournal,
  type UploadJournalEntry,
} from './uploadJournal.js';

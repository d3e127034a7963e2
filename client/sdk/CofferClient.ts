import { fromBase64Url, importPrivateKey, parseLinkUrl } from '../../shared/core/crypto/index.js';
import type { CreateInvitationResponse } from '../../shared/core/api/schemas/invitations.js';
import type { LookupUsersResponse, OwnProfile } from '../../shared/core/api/schemas/users.js';
import type { SessionRefreshResponse } from '../../shared/core/api/schemas/auth.js';
import { changePassphrase, type ChangePassphraseOptions, type ProfileChanges, updateProfile } from './account.js';
import { ApiClient, type FetchLike } from './ApiClient.js';
import { type AuditCheckpointRun, type AuditEvent, type AuditEventQuery, auditEvents, auditEventsPage, type AuditPageOptions, type AuditReport, checkpointAudit, verifyAudit } from './audit.js';
import type { ByteSource } from './byteStreams.js';
import { type ClientContext, CSRF_HEADERS, type SessionMode, type Tuning } from './ClientContext.js';
import { addComment, type CommentEntry, type CommentListOptions, type CommentPage, deleteComment, listComments, listCommentsPage } from './comments.js';
import { download, type DownloadOptions, type DownloadResult } from './download.js';
import * as folders from './folders.js';
import { GroupKeyring } from './GroupKeyring.js';
import * as groups from './groups.js';
import { createInvitation } from './invitations.js';
import { createLink, type CreatedLink, type CreateLinkOptions, listLinks, type ListLinksOptions, type LinkSummary, revokeLink } from './links.js';
import { type LinkTransport, openLinkWith, type OpenedLink, type OpenLinkOptions } from './openLink.js';
import { defaultUserAgent } from './defaultUserAgent.js';
import { MemoryKeyPinStore, type KeyPinStore } from './KeyPinStore.js';
import { listGroupReach, type GroupReachEntry } from './groupReach.js';
import { listAll, listPage, type DocumentEntry, type DocumentPage, type ListOptions } from './listDocuments.js';
import { login, type LoginOptions } from './login.js';
import { documentPath } from './paths.js';
import { type KeyStatus, Recipients, type TrustResult } from './Recipients.js';
import { register, type RegisterOptions } from './register.js';
import { type RememberedDevice, resumeSession } from './resumeSession.js';
import { MemorySessionStore, type Session, type SessionStore } from './Session.js';
import { SessionKeeper, type RefreshedTokens } from './SessionKeeper.js';
import {
  type AccessResult,
  checkAccess,
  type GrantableRole,
  type ListPermissionsResponse,
  permissions,
  setEditorsCanShare,
  setKeepVersions,
  setRole,
  type SetRoleOptions,
  type SetRoleResult,
  type SettingsResult,
  transferOwnership,
  type TransferResult,
} from './permissions.js';
import { share, type RevokeResult, type ShareOptions, type ShareRecipients, type ShareResult } from './share.js';
import { upload, type UploadOptions, type UploadResult } from './upload.js';
import { resumeUpload, type ResumeOptions, type ResumeResult, type ResumeSource } from './resume.js';
import type { UploadJournalEntry } from './uploadJournal.js';
import { revokeAndRotate } from './rotation.js';
import {
  listAllVersions,
  listVersions,
  restoreVersion,
  rotate,
  type ReuploadOptions,
  type RotateResult,
  uploadVersion,
  type UploadVersionOptions,
  type VersionPage,
  type VersionSummary,
  type VersionUploadResult,
} from './versions.js';

export interface CofferClientOptions {
  /** API base URL, e.g. http://127.0.0.1:4566. */
  serverUrl: string;
  /** Where the session persists (default: memory only). */
  sessionStore?: SessionStore;
  /** Key pins for this server (default: memory only, so pins last as long as the client). */
  pinStore?: KeyPinStore;
  fetch?: FetchLike;
  /** User-Agent for API requests (default `coffer-sdk/<version>` in Node, none in a browser, which forbids it). */
  userAgent?: string;
  tuning?: Partial<Tuning>;
  /**
   * `cookie`: the web app's session (docs/web.md, "Sessions"): the server keeps the refresh token
   * in an HttpOnly cookie and this client never sees it. Same-origin browsers only. Default `bearer`.
   */
  session?: SessionMode;
}

const MiB = 1024 * 1024;

/**
 * The Coffer SDK: every operation a user performs, with all cryptography on this side.
 * Runs wherever fetch and WebCrypto do (Node 20, browsers).
 */
export class CofferClient {
  readonly api: ApiClient;
  private readonly keeper: SessionKeeper;
  private readonly recipients: Recipients;
  private readonly ctx: ClientContext;
  private privateKeyCache: { pkcs8: string; key: Promise<CryptoKey> } | undefined;

  constructor(options: CofferClientOptions) {
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const userAgent = options.userAgent ?? defaultUserAgent();
    this.api = new ApiClient({ baseUrl: options.serverUrl, fetch: fetchImpl, ...(userAgent ? { userAgent } : {}) });
    const cookie = options.session === 'cookie';
    this.keeper = new SessionKeeper(options.sessionStore ?? new MemorySessionStore(), (refreshToken) =>
      cookie ? this.refreshCookieSession(undefined) : this.api.post<RefreshedTokens>('/auth/refresh', { refreshToken }, { auth: false }),
    );
    this.api.useTokens(this.keeper);
    this.recipients = new Recipients(this.api, options.pinStore ?? new MemoryKeyPinStore());
    this.ctx = {
      api: this.api,
      keeper: this.keeper,
      recipients: this.recipients,
      ...(cookie && { session: 'cookie' as const }),
      fetch: fetchImpl,
      privateKey: () => this.privateKey(),
      groupKeys: () => this.groupKeyring(),
      tuning: {
        partConcurrency: 4,
        listConcurrency: 8,
        streamSingleUploads: isNode(),
        blobRequestBodies: !isNode(),
        bufferSingleUploadsUpTo: 16 * MiB,
        allowWeakKdf: false,
        ...options.tuning,
      },
    };
  }

  // --- account ---------------------------------------------------------------

  /** Creates the account (key pair, sealed private key) and logs in. */
  register(options: RegisterOptions): Promise<OwnProfile> {
    return register(this.ctx, options);
  }

  /** Throws INVALID_CREDENTIALS for a wrong user id or passphrase. */
  login(userId: string, passphrase: string, options: LoginOptions = {}): Promise<OwnProfile> {
    return login(this.ctx, userId, passphrase, options);
  }

  /** Revokes the refresh-token family on the server (best effort) and always erases the local session. */
  async logout(): Promise<{ userId?: string; serverRevoked: boolean }> {
    const session = await this.keeper.peek();
    if (!session) return { serverRevoked: false };
    let serverRevoked = true;
    try {
      if (this.ctx.session === 'cookie') {
        // The browser sends the cookie; the answer clears it.
        await this.api.post<unknown>('/auth/session/logout', undefined, { auth: false, headers: { ...CSRF_HEADERS } });
      } else {
        await this.keeper.accessToken(); // refresh first if due, so the refresh token sent is the live one
        const { refreshToken } = await this.keeper.current();
        await this.api.post<unknown>('/auth/logout', { refreshToken });
      }
    } catch {
      serverRevoked = false;
    } finally {
      await this.keeper.end();
      this.privateKeyCache = undefined;
    }
    return { userId: session.userId, serverRevoked };
  }

  /** The stored session, without contacting the server. */
  session(): Promise<Session | undefined> {
    return this.keeper.peek();
  }

  whoami(): Promise<OwnProfile> {
    return this.api.get<OwnProfile>('/users/me');
  }

  /** Changes your name, e-mail or designation (`null` removes the last two). */
  updateProfile(changes: ProfileChanges): Promise<OwnProfile> {
    return updateProfile(this.ctx, changes);
  }

  /**
   * Changes your passphrase (both stay here; the new one must be strong). The key pair stays the
   * same; every session of yours ends, and this client logs in again with the new passphrase.
   */
  changePassphrase(current: string, next: string, options: ChangePassphraseOptions = {}): Promise<OwnProfile> {
    return changePassphrase(this.ctx, current, next, options);
  }

  // --- users and keys ------------------------------------------------------------

  /** Public profiles and fingerprints; unknown ids are listed, not thrown. */
  lookupUsers(userIds: readonly string[]): Promise<LookupUsersResponse> {
    return this.recipients.lookup(userIds);
  }

  /** A user's (`alice`) or group's (`g:<groupId>`) current key and how it stands against your pin, pinning nothing. */
  keyStatus(principal: string): Promise<KeyStatus> {
    return this.recipients.keyStatus(principal);
  }

  /** Accepts a user's current public key after a KEY_CHANGED, once its fingerprint was checked out of band. */
  trustNewKey(userId: string): Promise<TrustResult> {
    return this.recipients.trust(userId);
  }

  /** Members only: a one-time code (7 days) with which a guest registers (`register({ ..., invitationCode })`). */
  createInvitation(note?: string): Promise<CreateInvitationResponse> {
    return createInvitation(this.ctx, note);
  }

  // --- documents ---------------------------------------------------------------

  upload(source: ByteSource, options: UploadOptions): Promise<UploadResult> {
    return upload(this.ctx, source, options);
  }

  /** Finishes an interrupted upload from its journal entry, sending only what the server lacks (docs/versions.md, "Resume"). */
  resumeUpload(entry: UploadJournalEntry, source: ResumeSource, options: ResumeOptions): Promise<ResumeResult> {
    return resumeUpload(this.ctx, entry, source, options);
  }

  list(options: ListOptions = {}): Promise<DocumentPage> {
    return listPage(this.ctx, options);
  }

  /** Every accessible document across all pages. */
  listAll(pageSize?: number): AsyncGenerator<DocumentEntry, void, undefined> {
    return listAll(this.ctx, pageSize);
  }

  /**
   * Downloads and decrypts a document: the current version, or `version`; all of it (checked
   * against the digest its uploader recorded: INTEGRITY_MISMATCH otherwise), or plaintext bytes
   * `range` [start, end) only. Use the stream's data only once it closes without error.
   */
  download(documentId: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    return download(this.ctx, documentId, options);
  }

  // --- versions and key generations (docs/versions.md) ------------------------------

  /** Uploads new content as the document's next version (editors and above). */
  uploadVersion(documentId: string, source: ByteSource, options: UploadVersionOptions = {}): Promise<VersionUploadResult> {
    return uploadVersion(this.ctx, documentId, source, options);
  }

  /** Active versions, newest first, one page. */
  listVersions(documentId: string, options: { limit?: number; cursor?: string } = {}): Promise<VersionPage> {
    return listVersions(this.ctx, documentId, options);
  }

  /** Every active version across all pages, newest first. */
  listAllVersions(documentId: string, pageSize?: number): AsyncGenerator<VersionSummary, void, undefined> {
    return listAllVersions(this.ctx, documentId, pageSize);
  }

  /** Restores an old version as a new version (re-encrypted here under the current key). */
  restoreVersion(documentId: string, version: number, options: ReuploadOptions = {}): Promise<VersionUploadResult> {
    return restoreVersion(this.ctx, documentId, version, options);
  }

  /** A new key generation now (managers); unless `keyOnly`, the latest content re-encrypted under it as a new version. */
  rotate(documentId: string, options: ReuploadOptions & { keyOnly?: boolean } = {}): Promise<RotateResult> {
    return rotate(this.ctx, documentId, options);
  }

  // --- sharing (documents and folders alike) ------------------------------------

  /** Wraps the node key for users and groups (pin-checked) at `role` (default viewer); those with a direct grant are skipped. */
  share(nodeId: string, recipients: ShareRecipients, options: ShareOptions = {}): Promise<ShareResult> {
    return share(this.ctx, nodeId, recipients, options);
  }

  /**
   * Removes direct grants of users (`alice`, `u:alice`) and groups (`g:<groupId>`). On a document it
   * then starts a new key generation (docs/versions.md), so nothing uploaded later is readable to them;
   * existing content is not re-encrypted (see `rotate`).
   */
  revoke(nodeId: string, principals: readonly string[]): Promise<RevokeResult> {
    return revokeAndRotate(this.ctx, nodeId, principals);
  }

  /** Changes a direct grant's level; `expiresAt`: a Date sets, null clears, undefined keeps the expiry. */
  setRole(nodeId: string, principal: string, role: GrantableRole, options: SetRoleOptions = {}): Promise<SetRoleResult> {
    return setRole(this.ctx, nodeId, principal, role, options);
  }

  /** Everyone with access, each with its level and source (direct, or inherited from a folder). */
  permissions(nodeId: string): Promise<ListPermissionsResponse> {
    return permissions(this.ctx, nodeId);
  }

  /** The owner hands ownership to a member who already holds a direct grant; the owner becomes manager. */
  transferOwnership(nodeId: string, userId: string): Promise<TransferResult> {
    return transferOwnership(this.ctx, nodeId, userId);
  }

  /** The owner's retention setting of a document: keep the newest `keep` versions, or all (null, the default). */
  setKeepVersions(documentId: string, keep: number | null): Promise<SettingsResult> {
    return setKeepVersions(this.ctx, documentId, keep);
  }

  /** The owner's "editors may share" setting (on by default). */
  setEditorsCanShare(nodeId: string, editorsCanShare: boolean): Promise<SettingsResult> {
    return setEditorsCanShare(this.ctx, nodeId, editorsCanShare);
  }

  /** Your level and capabilities on each of these nodes; nodes you cannot see are absent. */
  checkAccess(nodeIds: readonly string[]): Promise<AccessResult[]> {
    return checkAccess(this.ctx, nodeIds);
  }

  // --- audit log (docs/audit.md, "Queries") ---------------------------------------

  /** Verifies the whole audit log (auditors): `ok` false with each finding's kind, shard and position. */
  verifyAudit(): Promise<AuditReport> {
    return verifyAudit(this.ctx);
  }

  /** Signs a checkpoint of every audit chain that grew since its last one (auditors). */
  checkpointAudit(): Promise<AuditCheckpointRun> {
    return checkpointAudit(this.ctx);
  }

  /** One page of audit events, oldest first (auditors; owners for their nodes; anyone for themselves). */
  auditEventsPage(query: AuditEventQuery, options: AuditPageOptions = {}): ReturnType<typeof auditEventsPage> {
    return auditEventsPage(this.ctx, query, options);
  }

  /** Every audit event of a query, oldest first, a page at a time. */
  auditEvents(query: AuditEventQuery, pageSize?: number): AsyncGenerator<AuditEvent, void, undefined> {
    return auditEvents(this.ctx, query, pageSize);
  }

  // --- share links (docs/links.md: the secret stays in the URL fragment) ------------

  /** A link to a document or folder: `url` is shown once and carries the secret in its fragment. */
  createLink(nodeId: string, options: CreateLinkOptions = {}): Promise<CreatedLink> {
    return createLink(this.ctx, nodeId, options);
  }

  /** A node's links, oldest first, with their state and counters (never a token or secret). */
  listLinks(nodeId: string, options: ListLinksOptions = {}): Promise<{ links: LinkSummary[]; cursor?: string }> {
    return listLinks(this.ctx, nodeId, options);
  }

  revokeLink(linkId: string): Promise<void> {
    return revokeLink(this.ctx, linkId);
  }

  /**
   * Opens a link URL with your bearer token, so 'signed-in', 'members' and 'users' links work.
   * The token goes only to this client's own server: a link to another server, or a call with no
   * session, is opened anonymously (as the standalone openLink does).
   */
  async openLink(url: string, options: OpenLinkOptions = {}): Promise<OpenedLink> {
    const { base } = parseLinkUrl(url);
    const signedIn = sameServer(base, this.api.baseUrl) && (await this.keeper.peek()) !== undefined;
    const transport: LinkTransport = signedIn
      ? { api: this.api, auth: true, fetch: this.ctx.fetch }
      : { api: new ApiClient({ baseUrl: base, fetch: this.ctx.fetch }), auth: false, fetch: this.ctx.fetch };
    return openLinkWith(transport, url, options);
  }

  // --- folders (keys and names made and opened here) ------------------------------

  /** Creates a folder at the top level, or in `options.parent`. */
  createFolder(name: string, options: folders.CreateFolderOptions = {}): Promise<folders.CreatedFolder> {
    return folders.createFolder(this.ctx, name, options);
  }

  /** A folder, its name decrypted. */
  getFolder(folderId: string): Promise<folders.FolderInfo> {
    return folders.getFolder(this.ctx, folderId);
  }

  /** One page of a folder's children, names decrypted. */
  listFolder(folderId: string, options: folders.ListFolderOptions = {}): Promise<folders.FolderPage> {
    return folders.listFolder(this.ctx, folderId, options);
  }

  /** Every child of a folder across all pages. */
  listFolderAll(folderId: string, pageSize?: number): AsyncGenerator<folders.FolderChild, void, undefined> {
    return folders.listFolderAll(this.ctx, folderId, pageSize);
  }

  /** Any node's key, opened from the key path the server gives (wipe `key` when done). */
  nodeKey(nodeId: string): Promise<folders.OpenedNodeKey> {
    return folders.nodeKey(this.ctx, nodeId);
  }

  /** Renames a document or folder (the name is encrypted under its key). */
  rename(nodeId: string, name: string): Promise<{ nodeId: string; name: string }> {
    return folders.rename(this.ctx, nodeId, name);
  }

  /** Moves a node into a folder or to the top level (null); `confirm` decides when anyone gains access. */
  move(nodeId: string, parentId: string | null, options: folders.MoveOptions = {}): Promise<folders.MoveResult> {
    return folders.move(this.ctx, nodeId, parentId, options);
  }

  /** Limited access on: a new folder key for its direct grantees only; inherited readers lose access. */
  limitFolder(folderId: string): ReturnType<typeof folders.limitFolder> {
    return folders.limitFolder(this.ctx, folderId);
  }

  /** Limited access off: the folder inherits from its parent again. */
  unlimitFolder(folderId: string): ReturnType<typeof folders.unlimitFolder> {
    return folders.unlimitFolder(this.ctx, folderId);
  }

  /** Deletes a folder and everything in it, for everyone (owner only). */
  deleteFolder(folderId: string): ReturnType<typeof folders.deleteFolder> {
    return folders.deleteFolder(this.ctx, folderId);
  }

  // --- comments (encrypted here under the document key) ------------------------

  addComment(documentId: string, text: string): Promise<CommentEntry> {
    return addComment(this.ctx, documentId, text);
  }

  /** Every comment of the document, oldest first, decrypted. */
  listComments(documentId: string): Promise<CommentEntry[]> {
    return listComments(this.ctx, documentId);
  }

  listCommentsPage(documentId: string, options: CommentListOptions = {}): Promise<CommentPage> {
    return listCommentsPage(this.ctx, documentId, options);
  }

  deleteComment(documentId: string, commentId: string): Promise<void> {
    return deleteComment(this.ctx, documentId, commentId);
  }

  // --- groups (keys generated, sealed and wrapped here) ------------------------

  /** A new group with you as its first admin. */
  createGroup(name: string): Promise<groups.GroupView> {
    return groups.createGroup(this.ctx, name);
  }

  /** Your groups, transitively (nested groups included). */
  listGroups(): Promise<groups.KeyringGroup[]> {
    return groups.listGroups(this.ctx);
  }

  /** Name, public key and size for anyone; members too when you are in it. */
  getGroup(groupId: string): Promise<groups.GroupView> {
    return groups.getGroup(this.ctx, groupId);
  }

  renameGroup(groupId: string, name: string): Promise<{ groupId: string; name: string }> {
    return groups.renameGroup(this.ctx, groupId, name);
  }

  /** Admins: wrap the group secret for users (pin-checked) and groups; existing members are skipped. */
  addGroupMembers(groupId: string, members: readonly groups.GroupMemberSpec[], options: groups.GroupMemberOptions = {}): Promise<groups.AddMembersResult> {
    return groups.addMembers(this.ctx, groupId, members, options);
  }

  /** Admins (or yourself, to leave): remove, rotate the group key, then re-wrap the group's grants. */
  removeGroupMembers(groupId: string, members: readonly groups.GroupPrincipal[], options: groups.GroupMemberOptions = {}): Promise<groups.RemoveMembersResult> {
    return groups.removeMembers(this.ctx, groupId, members, options);
  }

  setGroupMemberRole(groupId: string, member: groups.GroupPrincipal, role: groups.GroupRole): Promise<{ groupId: string; principalId: string; role: groups.GroupRole }> {
    return groups.setMemberRole(this.ctx, groupId, member, role);
  }

  /** Finish (or redo) re-wrapping the grants made to a group for its current key. */
  rewrapGroupGrants(groupId: string): Promise<groups.RewrapResult> {
    return groups.rewrapGroupGrants(this.ctx, groupId);
  }

  /** What a group can reach (members only): the documents and folders shared with it, names decrypted. */
  listGroupReach(groupId: string): Promise<GroupReachEntry[]> {
    return listGroupReach(this.ctx, groupId);
  }

  /** The private keys of your groups (loaded now from GET /groups): `privateKeyFor(groupId, generation)`. */
  groupKeyring(): Promise<GroupKeyring> {
    return GroupKeyring.load(this.ctx);
  }

  async remove(documentId: string): Promise<void> {
    await this.api.delete<unknown>(documentPath(documentId));
  }

  /**
   * A cookie session resumed without the passphrase (the web app's "remember this device"): the
   * browser's refresh cookie gives a new access token, and `device` is the private key kept as a
   * non-extractable CryptoKey with the public key it was proven against. The server's copy of the
   * public key must still be that one, and the key must still unwrap what it wraps: a changed
   * key means sign in again. Throws SESSION_EXPIRED when the cookie is gone or revoked.
   */
  resume(device: RememberedDevice): Promise<OwnProfile> {
    return resumeSession(this.ctx, device, () => this.refreshCookieSession(true));
  }

  /** `keep`: whether the cookie outlives the browser session; undefined: as the current session's (Session.keepCookie). */
  private async refreshCookieSession(keep: boolean | undefined): Promise<RefreshedTokens> {
    keep ??= (await this.keeper.peek())?.keepCookie === true;
    const tokens = await this.api.post<SessionRefreshResponse>('/auth/session/refresh', keep ? { remember: true } : undefined, { auth: false, headers: { ...CSRF_HEADERS } });
    return { ...tokens, refreshToken: '' };
  }

  private async privateKey(): Promise<CryptoKey> {
    const { privateKeyPkcs8, privateKey } = await this.keeper.current();
    if (privateKey) return privateKey;
    if (this.privateKeyCache?.pkcs8 !== privateKeyPkcs8) {
      this.privateKeyCache = { pkcs8: privateKeyPkcs8, key: importPrivateKey(fromBase64Url(privateKeyPkcs8)) };
    }
    return this.privateKeyCache.key;
  }
}

/** Same scheme, host, port and path: where a bearer token may be sent. */
function sameServer(a: string, b: string): boolean {
  const norm = (u: string) => {
    const parsed = new URL(u);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  };
  try {
    return norm(a) === norm(b);
  } catch {
    return false;
  }
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

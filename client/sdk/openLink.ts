import { defaultUserAgent } from './defaultUserAgent.js';
import {
  decryptMetadata,
  deriveLinkKeys,
  parseLinkUrl,
  plaintextSize,
  unwrapKeyUnderKey,
  type KdfCost,
  type LinkKeys,
  type LinkPassword,
} from '../../shared/core/crypto/index.js';
import { DecryptionFailed, ValidationFailed } from '../../shared/core/errors/index.js';
import type { LinkAccess, LinkChild, OpenLinkBody, OpenLinkResponse } from '../../shared/core/api/schemas/links.js';
import { ApiClient, type FetchLike } from './ApiClient.js';
import { mapBounded } from './bounded.js';
import { NAME_FIELD } from './dataKeys.js';
import { CofferApiError } from './errors.js';
import { type LinkContent, linkContentStream } from './linkContent.js';
import { keyAtGeneration, type NodeKind, openKeyPath } from './nodeKeys.js';
import type { TransferProgress } from './upload.js';

/**
 * Opening a share link (docs/links.md, openLink): POST /links/open with the token, and the
 * password's proof when the server asks for one; then everything is opened here. The link's
 * wrap is the key path's entry (under the key derived from the URL fragment), names are
 * decrypted under each node's key, and a document streams from its presigned URL through the
 * same authenticated envelope as download(). The secret, the link key and the password key
 * never leave this module; the keys are derived once per URL and reused by open() and page().
 */

export interface OpenLinkOptions {
  /** Asked for (when a function) only if the server answers LINK_PASSWORD_REQUIRED. */
  password?: string | (() => Promise<string>);
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
  /**
   * Where the password's keys are derived (Argon2id, about a second at the default cost): by
   * default deriveLinkKeys here. A browser page passes one that runs the same deriveLinkKeys in a
   * Web Worker, so its thread never stalls (client/web/src/link/deriveInWorker.ts). It must be
   * deriveLinkKeys itself, run elsewhere: that is where the cost the server sent is checked.
   */
  deriveKeys?: (secret: string, password: LinkPassword) => Promise<LinkKeys>;
  /**
   * `descriptor`: a document comes back as `content` (what linkContentStream needs), fetched by
   * nobody yet, instead of a started `stream`; a browser page hands it to a worker that decrypts
   * there, so the bytes never pass through the page. Default `stream`.
   */
  content?: 'stream' | 'descriptor';
}

/** A document or folder seen through a link; `name` decrypted, `size` the plaintext size. */
export interface LinkedNode {
  nodeId: string;
  kind: NodeKind;
  name: string;
  size?: number;
}

export interface OpenedLink {
  link: { linkId: string; nodeId: string; nodeKind: NodeKind; access: LinkAccess; expiresAt: string; downloadsLeft?: number };
  node: LinkedNode;
  /**
   * A document's plaintext, authenticated chunk by chunk as download()'s: treat it as final only
   * once it has closed without error. A view-only link still streams (the viewer needs the bytes);
   * honouring "no download" is up to the client.
   */
  stream?: ReadableStream<Uint8Array>;
  /** Instead of `stream`, with `content: 'descriptor'`: read it with linkContentStream. */
  content?: LinkContent;
  /** A folder's children (this page). */
  children?: LinkedNode[];
  cursor?: string;
  /** A descendant of a folder link, reusing the derived keys (no second Argon2id). */
  open(nodeId: string): Promise<OpenedLink>;
  /** The next page of this folder's listing. */
  page(cursor: string): Promise<OpenedLink>;
}

/** How a link is opened: through which API (and whether with the caller's bearer token), and the fetch for object storage. */
export interface LinkTransport {
  api: ApiClient;
  /** Send the signed-in caller's bearer token (only to the server the session belongs to). */
  auth: boolean;
  /** For the presigned GET (no bearer token). */
  fetch: FetchLike;
}

/** What one URL's opens share: the token, and the keys derived once. */
interface LinkSession {
  transport: LinkTransport;
  token: string;
  keys: LinkKeys;
  options: OpenLinkOptions;
}

const PASSWORD_REQUIRED = 'LINK_PASSWORD_REQUIRED';
const CHILD_CONCURRENCY = 8;

/**
 * Standalone, for recipients with no account: exactly CofferClient.openLink, anonymous, on the
 * API at the URL's base.
 */
export async function openLink(url: string, options: OpenLinkOptions & { fetch?: FetchLike; userAgent?: string } = {}): Promise<OpenedLink> {
  const { base } = parseLinkUrl(url);
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const userAgent = options.userAgent ?? defaultUserAgent();
  const api = new ApiClient({ baseUrl: base, fetch: fetchImpl, ...(userAgent ? { userAgent } : {}) });
  return openLinkWith({ api, auth: false, fetch: fetchImpl }, url, options);
}

/** Opens a link URL through `transport`. */
export async function openLinkWith(transport: LinkTransport, url: string, options: OpenLinkOptions = {}): Promise<OpenedLink> {
  const { token, secret } = parseLinkUrl(url);
  let keys: LinkKeys | undefined;
  let response: OpenLinkResponse;
  try {
    response = await send(transport, { token }, options.signal);
  } catch (error) {
    if (!(error instanceof CofferApiError) || error.code !== PASSWORD_REQUIRED || options.password === undefined) throw error;
    const kdf = error.details?.kdf as KdfCost | undefined;
    const password = typeof options.password === 'function' ? await options.password() : options.password;
    // deriveLinkKeys refuses a malformed cost, or one above MAX_KDF, before any work.
    keys = await (options.deriveKeys ?? deriveLinkKeys)(secret, { password, kdf: kdf as KdfCost });
    try {
      response = await send(transport, { token, proof: keys.proof! }, options.signal);
    } catch (retryError) {
      keys.linkKey.fill(0);
      throw retryError;
    }
  }
  keys ??= await deriveLinkKeys(secret);
  const session: LinkSession = { transport, token, keys, options };
  return opened(session, response, response.link?.nodeId);
}

function send(transport: LinkTransport, body: OpenLinkBody, signal: AbortSignal | undefined): Promise<OpenLinkResponse> {
  return transport.api.post<OpenLinkResponse>('/links/open', body, { auth: transport.auth, ...(signal ? { signal } : {}) });
}

function request(session: LinkSession, extra: { nodeId: string; cursor?: string }): Promise<OpenLinkResponse> {
  const body: OpenLinkBody = { token: session.token, ...(session.keys.proof ? { proof: session.keys.proof } : {}), ...extra };
  return send(session.transport, body, session.options.signal);
}

/**
 * The opened target. Ids or generations in the response that break the label rules came from the
 * server, so they are tampering like any other: the one DecryptionFailed, never a ValidationFailed.
 */
async function opened(session: LinkSession, response: OpenLinkResponse, expectedNodeId: string | undefined): Promise<OpenedLink> {
  try {
    return await openTarget(session, response, expectedNodeId);
  } catch (error) {
    if (error instanceof ValidationFailed) throw new DecryptionFailed();
    throw error;
  }
}

/** Opens the target's key from the key path (the link's wrap first), then its name and content or children. */
async function openTarget(session: LinkSession, response: OpenLinkResponse, expectedNodeId: string | undefined): Promise<OpenedLink> {
  const { link, node, keyPath } = response;
  // The server answers for the node asked for, under the link's own wrap: anything else is a splice.
  if (
    !link ||
    !node ||
    !keyPath?.entry ||
    !Array.isArray(keyPath.steps) ||
    node.nodeId !== expectedNodeId ||
    keyPath.entry.nodeId !== link.nodeId ||
    (node.kind !== 'document' && node.kind !== 'folder')
  ) {
    throw new DecryptionFailed();
  }
  const nodeId = node.nodeId;
  let key = await openKeyPath({ linkKey: session.keys.linkKey }, { nodeId, kind: node.kind }, keyPath);
  const base = {
    link: {
      linkId: link.linkId,
      nodeId: link.nodeId,
      nodeKind: link.nodeKind,
      access: link.access,
      expiresAt: link.expiresAt,
      ...(link.downloadsLeft !== undefined ? { downloadsLeft: link.downloadsLeft } : {}),
    },
    open: (childId: string) => request(session, { nodeId: childId }).then((r) => opened(session, r, childId)),
    page: (cursor: string) => request(session, { nodeId, cursor }).then((r) => opened(session, r, nodeId)),
  };
  if (node.kind === 'document') {
    try {
      const name = await decryptMetadata(key, nodeId, NAME_FIELD, node.encryptedName);
      const size = node.size !== undefined ? plaintextSize(node.size) : undefined;
      if (!response.download || node.version === undefined) {
        throw new CofferApiError(200, 'BAD_RESPONSE', 'The server opened a document link without its download.');
      }
      // After a key-only rotation the current version is under an older generation: down the document's chain.
      const generation = node.versionKeyGeneration ?? node.keyGeneration;
      if (generation > node.keyGeneration) throw new DecryptionFailed();
      const contentKey = await keyAtGeneration(key, nodeId, node.keyGeneration, generation, response.keyChain);
      if (contentKey !== key) key.fill(0);
      key = contentKey;
      const content: LinkContent = {
        url: response.download.url,
        key,
        documentId: nodeId,
        version: node.version,
        ...(node.digest !== undefined && node.size !== undefined ? { ciphertextSize: node.size, digest: node.digest } : {}),
        ...(size !== undefined ? { size } : {}),
      };
      const linked = { ...base, node: { nodeId, kind: node.kind, name, ...(size !== undefined ? { size } : {}) } };
      if (session.options.content === 'descriptor') return { ...linked, content };
      const { signal, onProgress } = session.options;
      const stream = await linkContentStream(content, session.transport.fetch, { ...(signal && { signal }), ...(onProgress && { onProgress }) });
      return { ...linked, stream };
    } catch (error) {
      key.fill(0);
      throw error;
    }
  }
  try {
    const name = await decryptMetadata(key, nodeId, NAME_FIELD, node.encryptedName);
    const chain = keyPath.chains?.[nodeId];
    const children = await mapBounded(response.children ?? [], CHILD_CONCURRENCY, (child) =>
      openChild(child, { nodeId, key, keyGeneration: node.keyGeneration, chain }),
    );
    return { ...base, node: { nodeId, kind: node.kind, name }, children, ...(response.cursor ? { cursor: response.cursor } : {}) };
  } finally {
    key.fill(0);
  }
}

/** A child's name, under its key from its parent wrap (down the folder's key chain for an older generation). */
async function openChild(
  child: LinkChild,
  folder: { nodeId: string; key: Uint8Array; keyGeneration: number; chain: Record<string, string> | undefined },
): Promise<LinkedNode> {
  if (typeof child.parentKeyGeneration !== 'number' || child.parentKeyGeneration > folder.keyGeneration) throw new DecryptionFailed();
  const parentKey = await keyAtGeneration(folder.key, folder.nodeId, folder.keyGeneration, child.parentKeyGeneration, folder.chain);
  let key: Uint8Array | undefined;
  try {
    key = await unwrapKeyUnderKey(parentKey, child.parentWrap, {
      kind: 'folder-child',
      resourceId: child.nodeId,
      generation: child.keyGeneration,
      parentId: folder.nodeId,
      parentGeneration: child.parentKeyGeneration,
    });
    const name = await decryptMetadata(key, child.nodeId, NAME_FIELD, child.encryptedName);
    const size = child.kind === 'document' && child.size !== undefined ? plaintextSize(child.size) : undefined;
    return { nodeId: child.nodeId, kind: child.kind, name, ...(size !== undefined ? { size } : {}) };
  } finally {
    if (parentKey !== folder.key) parentKey.fill(0);
    key?.fill(0);
  }
}

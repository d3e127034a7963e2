import type { Deps } from '../../config/Deps.js';
import { recordAudit } from '../../data/audit.js';
import { getLink, LinkChanged, type LinkItem, recordLinkOpen } from '../../data/links.js';
import type { NodeMeta } from '../../data/nodes.js';
import { CofferError, httpStatus, ServiceUnavailable, ValidationFailed } from '../../../core/errors/index.js';
import type { OpenedLinkNode, OpenLinkBody, OpenLinkResponse } from '../../../core/api/schemas/links.js';
import { decodeChildCursor } from '../folders/folderCursor.js';
import { type LinkActor, linkEvent } from './linkAudit.js';
import { checkAudience, checkLinkUsable } from './linkChecks.js';
import { linkChildrenPage } from './linkChildren.js';
import { linkDocumentContent } from './linkDocumentContent.js';
import { checkLinkPassword } from './linkPasswordCheck.js';
import { resolveLinkTarget } from './linkTarget.js';
import { linkIdOf } from './linkToken.js';

/** Commits lost to concurrent opens of the same link before giving up with 503. */
const MAX_COMMIT_ATTEMPTS = 25;
/** The presigned GET of a link open never lives longer than this. */
const MAX_LINK_URL_TTL_SECONDS = 60;

type Meta = NodeMeta & Record<string, unknown>;

/**
 * Open a link (docs/links.md, "openLink"): the token's shape, then the checks in the contract's
 * order (token, expiry, download limit, password, sign-in, node), then one transaction that
 * counts the open and records `link.open`. Every failure after the token's shape is audited
 * too, with the link's id only: never the token or the proof.
 */
export async function openShareLink(deps: Deps, actor: LinkActor, body: OpenLinkBody): Promise<OpenLinkResponse> {
  const linkId = linkIdOf(body.token);
  const targets: { linkId: string; nodeId?: string } = { linkId };
  try {
    const link = checkLinkUsable(await getLink(deps.db, linkId), deps.clock());
    targets.nodeId = link.nodeId;
    await checkLinkPassword(deps, link, body.proof, actor);
    checkAudience(link, actor);
    const { linkNode, target, keyPath } = await resolveLinkTarget(deps, link, body.nodeId);
    const isDocument = target.kind === 'document';
    if (isDocument && body.cursor) throw new ValidationFailed('A document has no pages: open it without a cursor.');
    const startKey = body.cursor ? decodeChildCursor(body.cursor, target.nodeId) : undefined;
    const ttl = Math.min(MAX_LINK_URL_TTL_SECONDS, deps.settings.linkDownloadUrlTtlSeconds);
    const content = isDocument ? await linkDocumentContent(deps, target, ttl) : undefined;

    const details = target === linkNode ? undefined : { targetNodeId: target.nodeId };
    const counted = await commitOpen(deps, link, isDocument, (now) => linkEvent(actor, 'link.open', now, targets, { status: 200, ...(details ? { details } : {}) }));

    const response: OpenLinkResponse = {
      link: {
        linkId,
        nodeId: link.nodeId,
        nodeKind: link.nodeKind,
        access: link.access,
        expiresAt: link.linkExpiresAt,
        ...(link.maxDownloads !== undefined ? { downloadsLeft: Math.max(0, link.maxDownloads - counted.downloads) } : {}),
      },
      node: openedNode(target, target !== linkNode),
      keyPath,
    };
    if (content) {
      response.node.versionKeyGeneration = content.versionKeyGeneration;
      if (content.digest) response.node.digest = content.digest;
      response.keyChain = content.keyChain;
      response.download = { url: content.url, expiresAt: new Date(counted.at + ttl * 1000).toISOString() };
    }
    if (!isDocument) Object.assign(response, await linkChildrenPage(deps, target.nodeId, startKey));
    return response;
  } catch (error) {
    if (error instanceof CofferError) {
      await recordAudit(deps.db, linkEvent(actor, 'link.open', deps.clock(), targets, { status: httpStatus(error), errorCode: error.code }));
    }
    throw error;
  }
}

/**
 * The commit, retried while concurrent opens win the race: a failed guard is re-read and
 * classified as in steps 1 to 4 (so the 11th of 50 parallel opens of a 10-download link answers
 * LINK_EXHAUSTED), and a lost race with a link still usable tries again. Returns the downloads
 * counted as of the last read, this one included, and when it committed.
 */
async function commitOpen(deps: Deps, read: LinkItem, countDownload: boolean, event: (now: number) => ReturnType<typeof linkEvent>) {
  let link = read;
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock();
    try {
      await recordLinkOpen(deps.db, { linkId: link.linkId, countDownload, nowIso: new Date(now).toISOString() }, event(now));
      return { downloads: link.downloads + (countDownload ? 1 : 0), at: now };
    } catch (error) {
      if (!(error instanceof LinkChanged)) throw error;
    }
    link = checkLinkUsable(await getLink(deps.db, link.linkId), deps.clock());
    if (attempt >= MAX_COMMIT_ATTEMPTS) throw new ServiceUnavailable('This link is busy: retry in a moment.');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));
  }
}

/** The target as a link shows it: ids, sizes and ciphertext only; the parent only inside the link. */
function openedNode(node: Meta, showParent: boolean): OpenedLinkNode {
  return {
    nodeId: node.nodeId,
    kind: node.kind,
    ...(showParent && node.parentId ? { parentId: node.parentId } : {}),
    encryptedName: node.encryptedName,
    keyGeneration: node.keyGeneration,
    ...(node.kind === 'document' ? { size: node.size as number, version: node.currentVersion as number } : {}),
    createdAt: node.createdAt,
  };
}

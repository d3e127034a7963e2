import { nodeChange } from '../../access/authorityGuards.js';
import { resolveAccess } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { MIN_PRODUCTION_KDF } from '../../../core/crypto/kdfParams.js';
import { keys } from '../../data/keys.js';
import { type LinkItem, putLink } from '../../data/links.js';
import { getProfiles } from '../../data/users.js';
import { Conflict, Unprocessable, ValidationFailed } from '../../../core/errors/index.js';
import type { CreateLinkBody, CreateLinkResponse, LinkKdf } from '../../../core/api/schemas/links.js';
import { type LinkActor, linkEvent } from './linkAudit.js';
import { InvalidExpiry } from './linkErrors.js';
import { linkVerifier } from './linkPassword.js';
import { linkSummary } from './linkSummary.js';
import { linkIdOf, mintLinkToken } from './linkToken.js';

/**
 * Create a share link (`share` on an active node, so never a guest): mint the token, store only
 * its hash (the id) and, with a password, only the verifier of the proof; one transaction puts
 * the link, checks the node unchanged and records `link.create`. The token is returned once.
 */
export async function createShareLink(deps: Deps, actor: LinkActor, nodeId: string, body: CreateLinkBody): Promise<CreateLinkResponse> {
  const access = await resolveAccess(deps, actor.caller, nodeId);
  access.require('share');
  const { node } = access;
  const now = deps.clock();
  const expiresAt = checkExpiry(deps, body.expiresAt, now);
  if (body.password) checkKdf(deps, body.password.kdf);
  if (body.keyGeneration !== node.keyGeneration) {
    throw new Conflict('KEY_GENERATION_MISMATCH', `The key is at generation ${node.keyGeneration}: wrap that one for the link.`, {
      keyGeneration: node.keyGeneration,
    });
  }
  if (body.audience.mode === 'users') await checkUsers(deps, body.audience.users);

  const token = mintLinkToken();
  const linkId = linkIdOf(token);
  const createdAt = new Date(now).toISOString();
  const link: LinkItem = {
    linkId,
    nodeId,
    nodeKind: node.kind,
    createdBy: actor.caller.userId,
    createdAt,
    linkExpiresAt: expiresAt,
    access: body.access,
    audience: body.audience,
    ...(body.maxDownloads !== undefined ? { maxDownloads: body.maxDownloads } : {}),
    downloads: 0,
    accessCount: 0,
    keyGeneration: node.keyGeneration,
    wrappedKey: body.wrappedKey,
    ...(body.password ? { password: { verifier: await linkVerifier(deps.keys, linkId, body.password.proof), kdf: body.password.kdf } } : {}),
    failedAttempts: 0,
  };
  const event = linkEvent(actor, 'link.create', now, { linkId, nodeId }, { status: 201 });
  await putLink(deps.db, link, { key: keys.nodeMeta(nodeId), rev: node.rev }, nodeChange(access, now).guards, event);
  return { link: linkSummary(link, node, now), token };
}

/** Default now + linkDefaultTtlSeconds; otherwise after now and at most now + linkMaxTtlSeconds. */
function checkExpiry(deps: Deps, requested: string | undefined, now: number): string {
  const { linkDefaultTtlSeconds, linkMaxTtlSeconds } = deps.settings;
  if (requested === undefined) return new Date(now + Math.min(linkDefaultTtlSeconds, linkMaxTtlSeconds) * 1000).toISOString();
  const at = Date.parse(requested);
  if (!(at > now) || at > now + linkMaxTtlSeconds * 1000) {
    throw new InvalidExpiry(linkMaxTtlSeconds);
  }
  return new Date(at).toISOString();
}

/** The creator's Argon2id cost: refused below the production floor unless weak KDFs are allowed. */
function checkKdf(deps: Deps, kdf: LinkKdf): void {
  if (deps.settings.allowWeakKdf) return;
  if (kdf.memoryKiB < MIN_PRODUCTION_KDF.memoryKiB || kdf.iterations < MIN_PRODUCTION_KDF.iterations || kdf.parallelism < MIN_PRODUCTION_KDF.parallelism) {
    throw new ValidationFailed('The Argon2id parameters are below the minimum: use at least m=19 MiB, t=2.');
  }
}

/** Listed users: each once, and each must exist. */
async function checkUsers(deps: Deps, userIds: string[]): Promise<void> {
  const duplicates = userIds.filter((id, i) => userIds.indexOf(id) !== i);
  if (duplicates.length > 0) throw new ValidationFailed(`Each user may appear once: ${[...new Set(duplicates)].join(', ')}.`, { userIds: duplicates });
  const profiles = await getProfiles(deps.db, userIds);
  const unknown = userIds.filter((id) => !profiles.has(id));
  if (unknown.length > 0) throw new Unprocessable('UNKNOWN_USERS', `No such users: ${unknown.join(', ')}. No link was made.`, { userIds: unknown });
}

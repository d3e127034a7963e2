import type { Deps } from '../config/Deps.js';
import { keys, principal } from '../data/keys.js';
import { type GrantItem, isLive, type NodeMeta } from '../data/nodes.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../data/dynamoErrors.js';
import { notFoundFor, type NodeAccess } from './resolveAccess.js';
import type { KeyPath, KeyPathEntry, KeyPathStep } from '../../core/api/keyPath.js';

/**
 * The key path for a resolved access: the nearest node in scope with a live grant to one
 * of the caller's principals (the caller's own user grant first), then each parent wrap
 * down to the node. One extra read only when the grant is not the caller's own on the node.
 */
export async function buildKeyPath(deps: Deps, access: NodeAccess): Promise<KeyPath> {
  const now = deps.clock();
  const me = principal.user(access.caller.userId);
  const node = access.node;
  if (access.ownGrant && node.acl?.[me] && isLive(node.acl[me]!, now)) {
    return { entry: entryOf(access.ownGrant), steps: [], chains: {} };
  }
  const { index, principalId } = nearestEntry(access.scope, access.principals, me, now);
  const holder = access.scope[index]!;
  const out = await dynamo(() =>
    deps.db.doc.send(new GetCommand({ TableName: deps.db.table, Key: keys.grant(holder.nodeId, principalId), ConsistentRead: true })),
  );
  const grant = out.Item as GrantItem | undefined;
  if (!grant) throw notFoundFor(); // revoked between the check and this read
  const { steps, chains } = stepsDown(access.scope.slice(0, index + 1));
  if (grant.keyGeneration !== holder.keyGeneration && holder.keyChain) chains[holder.nodeId] = holder.keyChain;
  return { entry: entryOf(grant), steps, chains };
}

/**
 * The parent wraps down a verified chain `[node, parent, ..., holder]`: one step per node below
 * the holder, top down, and the key chain of each parent whose older generation a step needs.
 * Throws `missing()` (default: the same 404 as the access check) when a node has no parent wrap.
 */
export function stepsDown(chain: readonly NodeMeta[], missing: () => Error = () => notFoundFor()): Pick<KeyPath, 'steps' | 'chains'> {
  const steps: KeyPathStep[] = [];
  const chains: KeyPath['chains'] = {};
  for (let i = chain.length - 2; i >= 0; i--) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!child.parentWrap || child.parentKeyGeneration === undefined) throw missing();
    steps.push({
      nodeId: child.nodeId,
      keyGeneration: child.keyGeneration,
      parentId: parent.nodeId,
      parentKeyGeneration: child.parentKeyGeneration,
      wrappedKey: child.parentWrap,
    });
    if (child.parentKeyGeneration !== parent.keyGeneration && parent.keyChain) chains[parent.nodeId] = parent.keyChain;
  }
  return { steps, chains };
}

function nearestEntry(scope: NodeMeta[], principals: ReadonlySet<string>, me: string, now: number): { index: number; principalId: string } {
  for (let index = 0; index < scope.length; index++) {
    const acl = scope[index]!.acl ?? {};
    if (acl[me] && isLive(acl[me]!, now)) return { index, principalId: me };
    for (const p of principals) {
      if (acl[p] && isLive(acl[p]!, now)) return { index, principalId: p };
    }
  }
  throw notFoundFor();
}

function entryOf(grant: GrantItem): KeyPathEntry {
  return {
    nodeId: grant.nodeId,
    principalId: grant.principalId,
    wrappedKey: grant.wrappedKey,
    keyGeneration: grant.keyGeneration,
    ...(grant.principalKeyGeneration !== undefined ? { principalKeyGeneration: grant.principalKeyGeneration } : {}),
  };
}

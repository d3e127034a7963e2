import { stepsDown } from '../../access/keyPath.js';
import type { KeyPath } from '../../../core/api/keyPath.js';
import { loadAncestors } from '../../access/resolveAccess.js';
import type { Deps } from '../../config/Deps.js';
import { batchGetAll } from '../../data/batchOperations.js';
import { keys } from '../../data/keys.js';
import type { LinkItem } from '../../data/links.js';
import type { NodeMeta } from '../../data/nodes.js';
import { linkNotFound, linkStale } from './linkErrors.js';
import { linkIsStale } from './linkIsStale.js';

type Meta = NodeMeta & Record<string, unknown>;

export interface LinkTarget {
  /** The node the link was made for. */
  linkNode: Meta;
  /** What is opened: the link's node, or a descendant of a folder link. */
  target: Meta;
  keyPath: KeyPath;
}

/**
 * Open, step 6 (docs/links.md): the link's node exists, is active under active folders and
 * still has the key generation the wrap holds (else LINK_STALE); the target is that node or a
 * descendant, the chain verified on `parentId`, and every node from the target up to (not
 * including) the link's node active and not limited. Anything else is the same 404.
 */
export async function resolveLinkTarget(deps: Deps, link: LinkItem, targetId: string | undefined): Promise<LinkTarget> {
  const ids = targetId && targetId !== link.nodeId ? [link.nodeId, targetId] : [link.nodeId];
  const metas = await getNodeMetasConsistent(deps, ids);
  const linkNode = metas.get(link.nodeId);
  if (!linkNode || linkNode.state !== 'active' || linkNode.kind !== link.nodeKind) throw linkNotFound();
  if (linkIsStale(link, linkNode)) throw linkStale();

  const target = targetId ? metas.get(targetId) : linkNode;
  if (!target || target.state !== 'active') throw linkNotFound();
  // One verified walk up from the target: it passes through the link's node and on to the root,
  // so the link's node's own ancestors are checked active too.
  const ancestors = await loadAncestors(deps, target);
  if (!ancestors) throw linkNotFound();
  let chain: Meta[] = [linkNode];
  if (target !== linkNode) {
    const at = ancestors.findIndex((a) => a.nodeId === link.nodeId);
    if (at < 0) throw linkNotFound();
    // [target, ..., the child of the link's node]: each active and not limited.
    const inside = [target, ...ancestors.slice(0, at)] as Meta[];
    if (inside.some((n) => n.state !== 'active' || n.limited)) throw linkNotFound();
    chain = [...inside, linkNode];
  }
  const { steps, chains } = stepsDown(chain, linkNotFound);
  // A folder's listing may hold children wrapped under its older key generations.
  if (target.kind === 'folder' && target.keyChain) chains[target.nodeId] = target.keyChain;
  return {
    linkNode,
    target,
    keyPath: {
      entry: { nodeId: link.nodeId, principalId: 'link', wrappedKey: link.wrappedKey, keyGeneration: link.keyGeneration },
      steps,
      chains,
    },
  };
}

/** The metas, strongly consistent: a revoke or delete that committed is seen. */
async function getNodeMetasConsistent(deps: Deps, ids: string[]): Promise<Map<string, Meta>> {
  const items = await batchGetAll(deps.db, ids.map((id) => keys.nodeMeta(id)), true);
  return new Map(items.map((item) => [item.nodeId as string, item as Meta]));
}

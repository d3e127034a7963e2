/** Where the caller's key comes from: a grant wrapped for one of its principals. */
export interface KeyPathEntry {
  nodeId: string;
  principalId: string;
  wrappedKey: string;
  keyGeneration: number;
  principalKeyGeneration?: number;
}

/** One step down the tree: `nodeId`'s key wrapped under its parent folder's key. */
export interface KeyPathStep {
  nodeId: string;
  keyGeneration: number;
  parentId: string;
  parentKeyGeneration: number;
  wrappedKey: string;
}

/** Everything a client needs to open a node's key, and nothing more (docs/permissions.md, "The key path"). */
export interface KeyPath {
  entry: KeyPathEntry;
  steps: KeyPathStep[];
  /** Folder key chains, only for the folders whose older generations a step needs. */
  chains: Record<string, Record<string, string>>;
}

/**
 * Levels and what each may do (docs/permissions.md, "Levels and capabilities").
 * The one place that decides capability from level; every handler asks through `can`.
 */
export const ROLES = ['viewer', 'commenter', 'editor', 'manager', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const CAPABILITIES = ['view', 'download', 'comment', 'edit', 'share', 'manage', 'delete', 'transfer', 'settings'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export type PrincipalKind = 'member' | 'guest';

const RANK: Record<Role, number> = { viewer: 1, commenter: 2, editor: 3, manager: 4, owner: 5 };

export function rank(role: Role): number {
  return RANK[role];
}

export function atLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export function higher(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (!a) return b;
  if (!b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** The minimum level for each capability; `share` for editors also depends on the node's setting. */
const MINIMUM: Record<Capability, Role> = {
  view: 'viewer',
  download: 'viewer',
  comment: 'commenter',
  edit: 'editor',
  share: 'manager',
  manage: 'manager',
  delete: 'owner',
  transfer: 'owner',
  settings: 'owner',
};

/** What a guest may ever do, whatever its level. */
const GUEST_CAPABILITIES: ReadonlySet<Capability> = new Set(['view', 'download', 'comment', 'edit', 'delete']);

export interface CapabilityContext {
  kind: PrincipalKind;
  /** The node's "editors may share" setting. */
  editorsCanShare: boolean;
}

export function can(role: Role | undefined, capability: Capability, context: CapabilityContext): boolean {
  if (!role) return false;
  if (context.kind === 'guest' && !GUEST_CAPABILITIES.has(capability)) return false;
  if (capability === 'share' && role === 'editor') return context.editorsCanShare;
  return atLeast(role, MINIMUM[capability]);
}

export function capabilitiesOf(role: Role | undefined, context: CapabilityContext): Capability[] {
  return CAPABILITIES.filter((c) => can(role, c, context));
}

/**
 * The highest level the caller may hand out or take away: managers up to manager,
 * editors who may share up to editor; nobody grants owner (that is a transfer).
 */
export function grantableUpTo(role: Role | undefined, context: CapabilityContext): Role | undefined {
  if (!role || !can(role, 'share', context)) return undefined;
  return atLeast(role, 'manager') ? 'manager' : 'editor';
}

/** An `owner` entry inherited from a folder counts as `manager` below it. */
export function inherited(role: Role): Role {
  return role === 'owner' ? 'manager' : role;
}

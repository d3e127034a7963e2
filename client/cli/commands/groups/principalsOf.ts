import { CofferError } from '../../../../shared/core/errors/index.js';
import type { GroupPrincipal } from '../../../sdk/groups.js';

/** The options of `coffer group add|remove`. */
export interface MemberFlags {
  user?: string[];
  group?: string[];
  admin?: boolean;
  acceptNewKey?: string[];
}

/** `--user a,b --group G` as SDK principals; at least one is required. */
export function principalsOf(flags: MemberFlags): GroupPrincipal[] {
  const list: GroupPrincipal[] = [...(flags.user ?? []).map((userId) => ({ userId })), ...(flags.group ?? []).map((groupId) => ({ groupId }))];
  if (list.length === 0) throw new CofferError('USAGE', 'Name the members: --user ID[,ID...] and/or --group GROUP_ID[,...].');
  return list;
}

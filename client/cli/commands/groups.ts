import type { Command } from 'commander';
import { CofferError } from '../../../shared/core/errors/index.js';
import type { GroupMemberSpec, GroupPrincipal, GroupRole, RewrapResult } from '../../sdk/groups.js';
import { collectList, printable, table } from '../format.js';
import type { Runner } from './Runner.js';

const ACCEPT_HELP = 'accept the changed public key of USER (check its fingerprint with them first); repeatable';

interface MemberFlags {
  user?: string[];
  group?: string[];
  admin?: boolean;
  acceptNewKey?: string[];
}

/** `--user a,b --group G` as SDK principals; at least one is required. */
function principalsOf(flags: MemberFlags): GroupPrincipal[] {
  const list: GroupPrincipal[] = [...(flags.user ?? []).map((userId) => ({ userId })), ...(flags.group ?? []).map((groupId) => ({ groupId }))];
  if (list.length === 0) throw new CofferError('USAGE', 'Name the members: --user ID[,ID...] and/or --group GROUP_ID[,...].');
  return list;
}

/** `u:alice`, `g:<id>`, or a bare user id. */
function principalArg(value: string): GroupPrincipal {
  if (value.startsWith('g:')) return { groupId: value.slice(2) };
  return { userId: value.startsWith('u:') ? value.slice(2) : value };
}

function rewrapLine(r: RewrapResult): string {
  const failed = r.failed.length ? `; ${r.failed.length} could not be opened (${r.failed.join(', ')})` : '';
  return `Re-wrapped ${r.rewrapped} grant(s) for key generation ${r.keyGeneration}${r.skipped ? ` (${r.skipped} already done by someone else)` : ''}${failed}.`;
}

export function groupCommands(program: Command, run: Runner): void {
  const group = program.command('group').description('groups: create, list, show, add and remove members (keys are rotated here on removal)');

  group
    .command('create')
    .description('create a group with you as its first admin (the name is visible to the server)')
    .argument('<name>', 'group name (1-100 characters)')
    .action((name: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const created = await ctx.client.createGroup(name);
        ctx.output.result(created, () => `Created group ${printable(created.name)}: ${created.groupId} (key ${created.fingerprint.slice(0, 16)}...).`);
      }),
    );

  group
    .command('ls')
    .description('the groups you are in, directly or through another group')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const groups = await ctx.client.listGroups();
        const rows = groups.map((g) => ({
          groupId: g.groupId,
          name: g.name,
          keyGeneration: g.keyGeneration,
          memberCount: g.memberCount,
          via: g.via,
          ...(g.role && { role: g.role }),
        }));
        ctx.output.result({ groups: rows }, () =>
          rows.length === 0
            ? 'You are in no group yet: `coffer group create NAME`.'
            : table(
                ['ID', 'MEMBERS', 'KEY', 'ROLE', 'NAME'],
                rows.map((r) => [r.groupId, String(r.memberCount), `gen ${r.keyGeneration}`, r.role ?? `via ${r.via}`, printable(r.name)]),
              ),
        );
      }),
    );

  group
    .command('show')
    .description("a group's name, key fingerprint and size; its members if you are in it")
    .argument('<id>', 'group id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const view = await ctx.client.getGroup(id);
        ctx.output.result(view, () => {
          const lines = [
            `${printable(view.name)} (${view.groupId})`,
            `key generation ${view.keyGeneration}, fingerprint ${view.fingerprint}`,
            `${view.memberCount} direct member(s)`,
          ];
          if (view.membership) lines.push(`you: ${view.membership.admin ? 'admin' : 'member'} (through ${view.membership.via})`);
          if (view.members) lines.push('', table(['MEMBER', 'ROLE', 'KIND'], view.members.map((m) => [m.principalId, m.role, m.kind])));
          return lines.join('\n');
        });
      }),
    );

  group
    .command('add')
    .description('add users and groups (admins): the group secret is wrapped here for each of them')
    .argument('<id>', 'group id')
    .option('--user <ids>', 'users to add (comma-separated or repeated)', collectList)
    .option('--group <ids>', 'groups to nest in this one (comma-separated or repeated)', collectList)
    .option('--admin', 'make them admins (users only; never guests)')
    .option('--accept-new-key <user>', ACCEPT_HELP, collectList)
    .action((id: string, flags: MemberFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const role: GroupRole = flags.admin ? 'admin' : 'member';
        const specs: GroupMemberSpec[] = principalsOf(flags).map((p) => ({ ...p, role }));
        const result = await ctx.client.addGroupMembers(id, specs, { acceptNewKeyFor: flags.acceptNewKey ?? [] });
        ctx.output.result(result, () =>
          [
            result.added.length ? `Added ${result.added.join(', ')} (${result.memberCount} members now).` : 'Nobody was added.',
            ...(result.alreadyMembers.length ? [`Already members: ${result.alreadyMembers.join(', ')}.`] : []),
          ].join('\n'),
        );
      }),
    );

  group
    .command('remove')
    .description('remove users and groups (admins; yourself to leave): rotates the group key, then re-wraps its grants')
    .argument('<id>', 'group id')
    .option('--user <ids>', 'users to remove (comma-separated or repeated)', collectList)
    .option('--group <ids>', 'nested groups to remove (comma-separated or repeated)', collectList)
    .option('--accept-new-key <user>', ACCEPT_HELP, collectList)
    .action((id: string, flags: MemberFlags, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.removeGroupMembers(id, principalsOf(flags), { acceptNewKeyFor: flags.acceptNewKey ?? [] });
        ctx.output.result(result, () =>
          [
            result.removed.length ? `Removed ${result.removed.join(', ')}; the group key is now generation ${result.keyGeneration}.` : 'Nobody was removed.',
            ...(result.notMembers.length ? [`Not members: ${result.notMembers.join(', ')}.`] : []),
            ...(result.removed.length ? [rewrapLine(result.rewrap)] : []),
            ...(result.rewrap.failed.length ? ['Run `coffer group rewrap ' + id + '` after checking with the grants\' owners.'] : []),
          ].join('\n'),
        );
      }),
    );

  group
    .command('rename')
    .description('rename a group (admins)')
    .argument('<id>', 'group id')
    .argument('<name>', 'new name (1-100 characters)')
    .action((id: string, name: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.renameGroup(id, name);
        ctx.output.result(result, () => `Renamed ${id} to ${printable(result.name)}.`);
      }),
    );

  group
    .command('role')
    .description("change a member's role (admins); a group keeps at least one admin")
    .argument('<id>', 'group id')
    .argument('<principal>', 'a user id (or u:ID), or g:GROUP_ID')
    .argument('<role>', 'admin or member')
    .action((id: string, who: string, role: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        if (role !== 'admin' && role !== 'member') throw new CofferError('USAGE', `The role must be admin or member, not ${JSON.stringify(role)}.`);
        const result = await ctx.client.setGroupMemberRole(id, principalArg(who), role);
        ctx.output.result(result, () => `${result.principalId} is now ${result.role} of ${id}.`);
      }),
    );

  group
    .command('rewrap')
    .description('finish re-wrapping the grants made to a group for its current key (resumable)')
    .argument('<id>', 'group id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.rewrapGroupGrants(id);
        ctx.output.result(result, () => rewrapLine(result));
      }),
    );
}

import { type Command, InvalidArgumentError, Option } from 'commander';
import { CofferError } from '../../../shared/core/errors/index.js';
import { GRANTABLE_ROLES, type GrantableRole, type PermissionEntry, splitPrincipals } from '../../sdk/permissions.js';
import { EXPIRES_HELP, parseExpiry } from '../expiry.js';
import { collectList, table } from '../format.js';
import type { Runner } from './Runner.js';

const ACCEPT_HELP = 'accept the changed public key of USER or g:GROUPID (check its fingerprint first); repeatable';
const PRINCIPALS_HELP = 'users (alice) and groups (g:GROUPID)';
const RANK: Record<string, number> = { owner: 5, manager: 4, editor: 3, commenter: 2, viewer: 1 };

/** `u:alice` reads as `alice`; groups keep their `g:` prefix. */
export function displayPrincipal(principalId: string): string {
  return principalId.startsWith('u:') ? principalId.slice(2) : principalId;
}

function displayList(principalIds: readonly string[]): string {
  return principalIds.map(displayPrincipal).join(', ');
}

function roleOption(description: string): Option {
  return new Option('--role <level>', description).choices(GRANTABLE_ROLES);
}

/** Sharing of documents and folders: share, revoke, perms, role, transfer, settings. */
export function sharingCommands(program: Command, run: Runner): void {
  program
    .command('share')
    .description('give users and groups a key to a document or folder (a folder shares everything in it)')
    .argument('<id>', 'document or folder id')
    .argument('[recipients...]', PRINCIPALS_HELP)
    .option('--to <recipients>', `${PRINCIPALS_HELP}, comma-separated or repeated`, collectList)
    .addOption(roleOption('the level to grant (default viewer; at most your own, never owner)'))
    .option('--expires <when>', `the share ends then: ${EXPIRES_HELP}`)
    .option('--accept-new-key <id>', ACCEPT_HELP, collectList)
    .action(
      (id: string, positional: string[], flags: { to?: string[]; role?: GrantableRole; expires?: string; acceptNewKey?: string[] }, command: Command) =>
        run(command, async (ctx) => {
          const recipients = splitPrincipals([...positional, ...(flags.to ?? [])]);
          if (recipients.userIds.length + recipients.groupIds.length === 0) {
            throw new CofferError('USAGE', `Name whom to share with: \`coffer share ${id} --to alice,g:GROUPID\`.`);
          }
          const expiresAt = flags.expires === undefined ? undefined : parseExpiry(flags.expires);
          ctx.requireSession();
          const result = await ctx.client.share(id, recipients, {
            ...(flags.role && { role: flags.role }),
            ...(expiresAt && { expiresAt }),
            acceptNewKeyFor: flags.acceptNewKey ?? [],
          });
          const role = flags.role ?? 'viewer';
          ctx.output.result({ ...result, role, ...(expiresAt && { expiresAt: expiresAt.toISOString() }) }, () =>
            [
              result.sharedWith.length
                ? `Shared ${id} with ${displayList(result.sharedWith)} as ${role}${expiresAt ? ` until ${expiresAt.toISOString()}` : ''}.`
                : `Nothing new to share for ${id}.`,
              ...(result.alreadyShared.length
                ? [`Already shared with ${displayList(result.alreadyShared)}: change a level with \`coffer role ${id} PRINCIPAL LEVEL\`.`]
                : []),
            ].join('\n'),
          );
        }),
    );

  program
    .command('revoke')
    .description("remove users' and groups' direct access to a document or folder")
    .argument('<id>', 'document or folder id')
    .argument('<principals...>', PRINCIPALS_HELP)
    .action((id: string, principals: string[], _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.revoke(id, principals);
        ctx.output.result(result, () =>
          [
            result.revoked.length ? `Revoked ${displayList(result.revoked)} from ${id}.` : `Nobody to revoke on ${id}.`,
            ...(result.notShared.length
              ? [`Not shared directly with ${displayList(result.notShared)} (see \`coffer perms ${id}\`: inherited access is revoked on its folder).`]
              : []),
            ...(result.keyGeneration !== undefined
              ? [
                  `New key generation ${result.keyGeneration}: versions uploaded from now on are unreadable to them.`,
                  `Copies they already downloaded stay with them; \`coffer rotate ${id}\` also re-encrypts the latest version.`,
                ]
              : result.revoked.length
                ? ['Copies they already downloaded stay with them.']
                : []),
          ].join('\n'),
        );
      }),
    );

  program
    .command('perms')
    .description('who has access to a document or folder, at which level, and where it comes from')
    .argument('<id>', 'document or folder id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const perms = await ctx.client.permissions(id);
        const entries = [...perms.entries].sort(
          (a, b) => (RANK[b.role] ?? 0) - (RANK[a.role] ?? 0) || a.principalId.localeCompare(b.principalId),
        );
        ctx.output.result({ ...perms, entries }, () =>
          [
            `${id}: owned by ${perms.ownerId}${perms.limited ? ', limited access (inherits nothing)' : ''}`,
            table(
              ['PRINCIPAL', 'KIND', 'LEVEL', 'SOURCE', 'EXPIRES'],
              entries.map((e) => [displayPrincipal(e.principalId), e.principalKind, e.role, sourceOf(e), e.expiresAt ?? '-']),
            ),
          ].join('\n'),
        );
      }),
    );

  program
    .command('role')
    .description("change a user's or group's level on a document or folder (no re-encryption)")
    .argument('<id>', 'document or folder id')
    .argument('<principal>', 'a user (alice) or a group (g:GROUPID)')
    .argument('<level>', GRANTABLE_ROLES.join(', '))
    .option('--expires <when>', `the access ends then: ${EXPIRES_HELP}`)
    .option('--no-expiry', 'remove the expiry')
    .action((id: string, principal: string, level: string, flags: { expires?: string; expiry: boolean }, command: Command) =>
      run(command, async (ctx) => {
        if (!(GRANTABLE_ROLES as readonly string[]).includes(level)) {
          throw new CofferError('USAGE', `Not a level: ${JSON.stringify(level)}. Use one of ${GRANTABLE_ROLES.join(', ')} (ownership moves with \`coffer transfer\`).`);
        }
        if (flags.expires !== undefined && !flags.expiry) throw new CofferError('USAGE', 'Use either --expires or --no-expiry, not both.');
        const expiresAt = flags.expires !== undefined ? parseExpiry(flags.expires) : flags.expiry ? undefined : null;
        ctx.requireSession();
        const result = await ctx.client.setRole(id, principal, level as GrantableRole, expiresAt === undefined ? {} : { expiresAt });
        ctx.output.result(result, () =>
          `${displayPrincipal(result.principalId)} is now ${result.role} on ${id}${result.expiresAt ? ` until ${result.expiresAt}` : ', without expiry'}.`,
        );
      }),
    );

  program
    .command('transfer')
    .description('make another member the owner (they must already have a direct share); you become manager')
    .argument('<id>', 'document or folder id')
    .argument('<user>', 'the new owner')
    .action((id: string, user: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.transferOwnership(id, user);
        ctx.output.result(result, () => `${result.ownerId} now owns ${id}; you are ${result.previousOwner.role}.`);
      }),
    );

  program
    .command('settings')
    .description("the owner's settings of a document or folder")
    .argument('<id>', 'document or folder id')
    .addOption(new Option('--editors-can-share <on|off>', 'whether editors may share it (up to editor)').choices(['on', 'off']))
    .option('--keep-versions <n|all>', "a document's retention: keep its newest N versions (older ones are deleted at the next upload), or all", keepVersionsOption)
    .action((id: string, flags: { editorsCanShare?: 'on' | 'off'; keepVersions?: number | 'all' }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        if (flags.editorsCanShare === undefined && flags.keepVersions === undefined) {
          throw new CofferError('USAGE', 'Give --editors-can-share on|off, --keep-versions N|all, or both.');
        }
        let result = flags.editorsCanShare === undefined ? undefined : await ctx.client.setEditorsCanShare(id, flags.editorsCanShare === 'on');
        if (flags.keepVersions !== undefined) result = await ctx.client.setKeepVersions(id, flags.keepVersions === 'all' ? null : flags.keepVersions);
        const { settings } = result!;
        ctx.output.result(result, () =>
          [
            `Editors ${settings.editorsCanShare ? 'may' : 'may not'} share ${id}.`,
            ...(flags.keepVersions !== undefined
              ? [settings.keepVersions === undefined ? `${id} keeps every version.` : `${id} keeps its newest ${settings.keepVersions} version(s).`]
              : []),
          ].join('\n'),
        );
      }),
    );
}

/** --keep-versions: a whole number from 1 to 1000, or `all`. */
function keepVersionsOption(value: string): number | 'all' {
  if (value === 'all') return value; // not null: commander turns a null option value into ''
  if (!/^[1-9][0-9]{0,3}$/.test(value) || Number(value) > 1000) {
    throw new InvalidArgumentError('keep 1 to 1000 versions, or `all`.');
  }
  return Number(value);
}

function sourceOf(entry: PermissionEntry): string {
  return entry.source === 'direct' ? 'direct' : `inherited from ${entry.inheritedFrom ?? '?'}`;
}

import { type Command, Option } from 'commander';
import { CofferError } from '../../../../shared/core/errors/index.js';
import { GRANTABLE_ROLES, type GrantableRole, splitPrincipals } from '../../../sdk/permissions.js';
import type { CliContext } from '../../context.js';
import { parseExpiry } from '../../expiry.js';
import { collectList } from '../../format.js';
import { acceptNewKeyOption } from '../../options/acceptNewKeyOption.js';
import { expiresOption } from '../../options/expiresOption.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { displayList } from './displayPrincipal.js';
import { PRINCIPALS_HELP } from './principalsHelp.js';

interface ShareFlags {
  to?: string[];
  role?: GrantableRole;
  expires?: string;
  acceptNewKey?: string[];
}

/** `coffer share ID RECIPIENT...`: give users and groups a key to a document or folder. */
export const share: CommandDefinition = (parent, { run }) => {
  parent
    .command('share')
    .description('give users and groups a key to a document or folder (a folder shares everything in it)')
    .argument('<id>', 'document or folder id')
    .argument('[recipients...]', PRINCIPALS_HELP)
    .option('--to <recipients>', `${PRINCIPALS_HELP}, comma-separated or repeated`, collectList)
    .addOption(new Option('--role <level>', 'the level to grant (default viewer; at most your own, never owner)').choices(GRANTABLE_ROLES))
    .addOption(expiresOption('the share ends then'))
    .addOption(acceptNewKeyOption('groups'))
    .action((id: string, positional: string[], flags: ShareFlags, command: Command) => run(command, (ctx) => shareWith(ctx, id, positional, flags)));
};

async function shareWith(ctx: CliContext, id: string, positional: string[], flags: ShareFlags): Promise<void> {
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
}

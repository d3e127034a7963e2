import type { Command } from 'commander';
import { CofferError } from '../../../../shared/core/errors/index.js';
import { GRANTABLE_ROLES, type GrantableRole } from '../../../sdk/permissions.js';
import { parseExpiry } from '../../expiry.js';
import { expiresOption } from '../../options/expiresOption.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { displayPrincipal } from './displayPrincipal.js';

/** `coffer role ID PRINCIPAL LEVEL`: change a level (and its expiry) without re-encrypting. */
export const role: CommandDefinition = (parent, { run }) => {
  parent
    .command('role')
    .description("change a user's or group's level on a document or folder (no re-encryption)")
    .argument('<id>', 'document or folder id')
    .argument('<principal>', 'a user (alice) or a group (g:GROUPID)')
    .argument('<level>', GRANTABLE_ROLES.join(', '))
    .addOption(expiresOption('the access ends then'))
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
};

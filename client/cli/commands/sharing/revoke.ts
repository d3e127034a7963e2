import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';
import { displayList } from './displayPrincipal.js';
import { PRINCIPALS_HELP } from './principalsHelp.js';
import { staleLinksLine } from '../../staleLinksLine.js';

/** `coffer revoke ID PRINCIPAL...`: remove direct access (and start a new key generation). */
export const revoke: CommandDefinition = (parent, { run }) => {
  parent
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
                  staleLinksLine(id, result.staleLinks),
                ]
              : result.revoked.length
                ? ['Copies they already downloaded stay with them.']
                : []),
          ].join('\n'),
        );
      }),
    );
};

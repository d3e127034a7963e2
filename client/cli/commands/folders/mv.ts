import type { Command } from 'commander';
import { CofferError } from '../../../../shared/core/errors/index.js';
import { describeGain } from '../../../sdk/folders.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { confirmMove } from './confirmMove.js';

/** `coffer mv ID /`: the top level. */
const TOP_LEVEL = '/';

/** `coffer mv ID FOLDER`: move a document or folder, asking first when it gives anyone access. */
export const mv: CommandDefinition = (parent, { run, io }) => {
  parent
    .command('mv')
    .description('move a document or folder into a folder, or to the top level with /')
    .argument('<id>', 'the document or folder to move')
    .argument('<folder>', `the destination folder id, or ${TOP_LEVEL} for the top level`)
    .option('--yes', 'move even if it gives more people access, without asking')
    .action((id: string, folder: string, flags: { yes?: boolean }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const parentId = folder === TOP_LEVEL ? null : folder;
        const result = await ctx.client.move(id, parentId, { confirm: (preview) => confirmMove(ctx, io, preview, flags.yes === true) });
        if (!result.moved) throw new CofferError('CANCELLED', 'Not moved: nothing was changed.');
        ctx.output.result(result, () => {
          const where = parentId ? `into ${parentId}` : 'to the top level';
          const { people } = result.gainedAccess;
          const gained = people > 0 ? ` ${capitalise(describeGain(result.gainedAccess))} now ${people === 1 ? 'has' : 'have'} access.` : '';
          return `Moved ${id} ${where}.${gained}`;
        });
      }),
    );
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

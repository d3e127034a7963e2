import { type Command, InvalidArgumentError, Option } from 'commander';
import { CofferError } from '../../../../shared/core/errors/index.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer settings ID`: the owner's settings (editors may share, version retention). */
export const settings: CommandDefinition = (parent, { run }) => {
  parent
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
};

/** --keep-versions: a whole number from 1 to 1000, or `all`. */
function keepVersionsOption(value: string): number | 'all' {
  if (value === 'all') return value; // not null: commander turns a null option value into ''
  if (!/^[1-9][0-9]{0,3}$/.test(value) || Number(value) > 1000) {
    throw new InvalidArgumentError('keep 1 to 1000 versions, or `all`.');
  }
  return Number(value);
}

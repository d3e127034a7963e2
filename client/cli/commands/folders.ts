import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CofferError } from '../../../shared/core/errors/index.js';
import { describeGain, type FolderChild, type MovePreview } from '../../sdk/folders.js';
import type { CliContext } from '../context.js';
import { formatBytes, printable, table } from '../format.js';
import type { CliIo } from '../io.js';
import type { Runner } from './Runner.js';

/** `coffer mv ID /`: the top level. */
const TOP_LEVEL = '/';

export function folderCommands(program: Command, run: Runner, io: CliIo): void {
  program
    .command('mkdir')
    .description('create a folder (its key and name are made and encrypted here)')
    .argument('<name>', 'the folder name')
    .option('--parent <id>', 'create it inside this folder (default: the top level)')
    .action((name: string, flags: { parent?: string }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const created = await ctx.client.createFolder(name, flags.parent ? { parent: flags.parent } : {});
        ctx.output.result(created, () => `Created folder ${printable(name)} as ${created.folderId}${flags.parent ? ` in ${flags.parent}` : ''}.`);
      }),
    );

  program
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

  program
    .command('rename')
    .description('rename a document or folder (the new name is encrypted here)')
    .argument('<id>', 'the document or folder')
    .argument('<name>', 'the new name')
    .action((id: string, name: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.rename(id, name);
        ctx.output.result(result, () => `Renamed ${id} to ${printable(name)}.`);
      }),
    );

  program
    .command('limit')
    .description("limited access: the folder stops inheriting access from its parent and gets a new key (--off: inherit again)")
    .argument('<id>', 'the folder')
    .option('--off', 'turn limited access off')
    .action((id: string, flags: { off?: boolean }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = flags.off ? await ctx.client.unlimitFolder(id) : await ctx.client.limitFolder(id);
        ctx.output.result(result, () =>
          result.limited
            ? `Limited access on for ${id}: only its direct grantees keep access (new key, generation ${result.keyGeneration}).`
            : `Limited access off for ${id}: it inherits access from its parent folder again.`,
        );
      }),
    );

  program
    .command('rmdir')
    .description('delete a folder you own and everything in it, for everyone')
    .argument('<id>', 'the folder')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.deleteFolder(id);
        ctx.output.result(result, () => `Deleted folder ${id}: ${plural(result.deletedFolders, 'folder')} and ${plural(result.deletedDocuments, 'document')}.`);
      }),
    );
}

/**
 * `coffer ls FOLDER_ID`: one folder's children with their decrypted names (plain `coffer ls`
 * lists everything shared with you). Exported for the `ls` command to call with its argument.
 */
export async function listFolderCommand(ctx: CliContext, folderId: string): Promise<void> {
  ctx.requireSession();
  const first = await ctx.client.listFolder(folderId, { limit: 100 });
  const children: FolderChild[] = [...first.children];
  for (let cursor = first.cursor; cursor; ) {
    const page = await ctx.client.listFolder(folderId, { limit: 100, cursor });
    children.push(...page.children);
    cursor = page.cursor;
  }
  const { cursor: _done, children: _firstPage, ...folder } = first;
  ctx.output.result({ folder, children }, () => {
    const heading = `${printable(folder.name)}/ (${folderId}${folder.limited ? ', limited access' : ''})`;
    if (children.length === 0) return `${heading}\nEmpty: \`coffer mkdir NAME --parent ${folderId}\` or \`coffer upload FILE --parent ${folderId}\`.`;
    return [
      heading,
      table(
        ['ID', 'KIND', 'SIZE', 'OWNER', 'ROLE', 'NAME'],
        children.map((c) => [
          c.nodeId,
          c.kind + (c.limited ? ' (limited)' : ''),
          c.size === undefined ? '-' : formatBytes(c.size),
          c.ownerId,
          c.role,
          c.name === undefined ? `<unreadable: ${c.nameError ?? 'DECRYPTION_FAILED'}>` : printable(c.name) + (c.kind === 'folder' ? '/' : ''),
        ]),
      ),
    ].join('\n');
  });
}

/** Asks before a move that gives anyone access; --yes skips; with --json (no prompt possible) it refuses. */
async function confirmMove(ctx: CliContext, io: CliIo, preview: MovePreview, yes: boolean): Promise<boolean> {
  if (yes) return true;
  const where = preview.parentId ? await destinationName(ctx, preview.parentId) : 'the top level';
  const question = `Moving into ${where} gives ${describeGain(preview.gainedAccess)} access.`;
  if (ctx.output.json) {
    throw new CofferError('CONFIRMATION_REQUIRED', `${question} Add --yes to move it anyway.`, { gainedAccess: preview.gainedAccess });
  }
  const answer = await promptLine(io, `${question} Continue? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

async function destinationName(ctx: CliContext, folderId: string): Promise<string> {
  try {
    return printable((await ctx.client.getFolder(folderId)).name);
  } catch {
    return folderId;
  }
}

/** One line from stdin (a terminal or a pipe), the prompt on stderr. */
async function promptLine(io: CliIo, prompt: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: io.stdin.isTTY === true });
  try {
    // End of input (a closed pipe) is a "no".
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    return await Promise.race([rl.question(prompt), closed]);
  } catch {
    return '';
  } finally {
    rl.close();
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

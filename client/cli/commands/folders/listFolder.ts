import type { FolderChild } from '../../../sdk/folders.js';
import type { CliContext } from '../../context.js';
import { formatBytes, printable, table } from '../../format.js';

/**
 * `coffer ls FOLDER_ID`: one folder's children with their decrypted names (plain `coffer ls`
 * lists everything shared with you).
 */
export async function listFolder(ctx: CliContext, folderId: string): Promise<void> {
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

import type { Command } from 'commander';
import type { DocumentEntry } from '../../../sdk/listDocuments.js';
import { sourceLabel } from '../../../sdk/sourceLabel.js';
import { formatBytes, printable, table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';
import { listFolder } from '../folders/listFolder.js';

/** `coffer ls [FOLDER]`: what is shared with you or yours, or one folder's contents. */
export const ls: CommandDefinition = (parent, { run }) => {
  parent
    .command('ls')
    .description('list the documents and folders shared with you or yours, or the contents of FOLDER, with their decrypted names')
    .argument('[folder]', 'a folder id: list what is in it')
    .action((folder: string | undefined, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        if (folder) return listFolder(ctx, folder);
        const documents: DocumentEntry[] = [];
        for await (const doc of ctx.client.listAll()) documents.push(doc);
        ctx.output.result({ documents }, () => (documents.length === 0 ? 'No documents yet: `coffer upload FILE`.' : documentTable(documents)));
      }),
    );
};

function documentTable(documents: DocumentEntry[]): string {
  const folderNames = new Map(documents.filter((d) => d.kind === 'folder' && d.name !== undefined).map((d) => [d.documentId, d.name!]));
  return table(
    ['ID', 'KIND', 'SIZE', 'OWNER', 'ROLE', 'VIA', 'CREATED', 'NAME'],
    documents.map((d) => [
      d.documentId,
      d.kind,
      d.kind === 'folder' ? '-' : formatBytes(d.size),
      d.ownerId,
      d.role,
      printable(d.sources.map((s) => sourceLabel(s, folderNames)).join(', ')) || '-',
      d.createdAt.slice(0, 16).replace('T', ' '),
      d.name === undefined ? `<unreadable: ${d.nameError ?? 'DECRYPTION_FAILED'}>` : printable(d.name),
    ]),
  );
}

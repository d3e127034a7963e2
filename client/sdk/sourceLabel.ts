import type { DocumentSource } from './listDocuments.js';

/**
 * Where an entry's access comes from, in words: `direct`, a group's name (its id when the
 * caller's group list lacks it), or `folder NAME (group)` for a level inherited from a folder
 * (`folderNames`: the names the caller can read, its id otherwise). Not escaped for a terminal.
 */
export function sourceLabel(source: DocumentSource, folderNames: ReadonlyMap<string, string>): string {
  const group = source.groupId ? (source.groupName ?? `g:${source.groupId}`) : undefined;
  if (source.kind === 'folder') {
    const folder = folderNames.get(source.folderId!) ?? source.folderId!;
    return group ? `folder ${folder} (${group})` : `folder ${folder}`;
  }
  return source.kind === 'direct' ? 'direct' : group!;
}

import { join } from 'node:path';
import { FileUploadJournal } from '../../../sdk/node/FileUploadJournal.js';
import type { UploadJournalEntry } from '../../../sdk/uploadJournal.js';
import type { CliContext } from '../../context.js';

/** Where `coffer upload` keeps resume journals: `<profile>/uploads` (docs/versions.md, "Resume"). */
export function uploadJournal(ctx: CliContext): FileUploadJournal {
  return new FileUploadJournal(join(ctx.home, 'uploads'));
}

/** The newest journal entry of this user on this server for the file at `path`. */
export async function pendingUpload(ctx: CliContext, journal: FileUploadJournal, path: string): Promise<UploadJournalEntry | undefined> {
  const session = ctx.requireSession();
  const mine = (await journal.list()).filter((e) => e.source?.path === path && e.userId === session.userId && e.serverUrl === ctx.serverUrl);
  return mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

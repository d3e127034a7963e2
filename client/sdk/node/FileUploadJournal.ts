import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError } from '../../../shared/core/errors/index.js';
import { journalKey, parseJournalEntry, type UploadJournal, type UploadJournalEntry } from '../uploadJournal.js';
import { ensurePrivateDir, readJsonFile } from './privateFiles.js';

const SUFFIX = '.json';

/**
 * Resume journals as files in a directory of the profile (`<profile>/uploads`, mode 0700):
 * `<documentId>-v<version>.json`, mode 0600. A save is a temp file written and fsync'd, then
 * renamed over the old one: a crash leaves the previous entry or the new one, and a part's PUT
 * starts only once the entry naming it is on disk.
 */
export class FileUploadJournal implements UploadJournal {
  constructor(readonly dir: string) {}

  async save(entry: UploadJournalEntry): Promise<void> {
    await ensurePrivateDir(this.dir);
    const path = this.#path(entry.documentId, entry.version);
    const tmp = join(this.dir, `.${journalKey(entry.documentId, entry.version)}.${randomBytes(6).toString('hex')}.tmp`);
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(entry, null, 2)}\n`);
      await file.sync();
      await file.close();
      await rename(tmp, path);
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async load(documentId: string, version: number): Promise<UploadJournalEntry | undefined> {
    return this.#read(this.#path(documentId, version));
  }

  async list(): Promise<UploadJournalEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: UploadJournalEntry[] = [];
    for (const name of names.filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.')).sort()) {
      const entry = await this.#read(join(this.dir, name));
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /** Removes the entry, and the directory once it is empty (a profile holds no trace of finished uploads). */
  async remove(documentId: string, version: number): Promise<void> {
    await rm(this.#path(documentId, version), { force: true });
    await rmdir(this.dir).catch(() => undefined); // not empty, or gone: both fine
  }

  #path(documentId: string, version: number): string {
    // Ids are base64url (no path separators); checked anyway, since the name becomes a path.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(documentId) || !Number.isSafeInteger(version) || version < 1) {
      throw new CofferError('VALIDATION_FAILED', 'Not a document id and version.');
    }
    return join(this.dir, `${journalKey(documentId, version)}${SUFFIX}`);
  }

  async #read(path: string): Promise<UploadJournalEntry | undefined> {
    const data = await readJsonFile(path);
    if (data === undefined) return undefined;
    const entry = parseJournalEntry(data);
    if (!entry) throw new CofferError('PROFILE_FILE_INVALID', `${path} is not a Coffer upload journal: delete it (the upload then cannot be resumed).`);
    return entry;
  }
}

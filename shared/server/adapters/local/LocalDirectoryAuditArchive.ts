import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ServiceUnavailable } from '../../../core/errors/index.js';
import { type AuditArchive, assertArchiveBody, assertArchiveKey } from '../../ports/AuditArchive.js';

/**
 * AuditArchive in a local directory, for `npm start` and tests: one read-only file per key,
 * with S3's versioned, Object Lock semantics. Nothing is ever overwritten or deleted: an
 * identical re-put leaves the file alone, a different one is stored beside it as the next
 * version (`<name>.v2`, `.v3`, ...), which becomes the current one.
 */
export class LocalDirectoryAuditArchive implements AuditArchive {
  constructor(private readonly directory: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    assertArchiveKey(key);
    assertArchiveBody(body);
    const path = this.path(key);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // Written aside first, then linked into place: a version appears whole or not at all.
      const staged = `${path}.${randomBytes(8).toString('hex')}.tmp`;
      await writeFile(staged, body, { flag: 'wx', mode: 0o444 });
      try {
        for (;;) {
          const versions = await this.versions(key);
          const current = versions.at(-1);
          if (current && Buffer.from(current).equals(body)) return;
          // link() creates only: concurrent puts never clobber a version; the loser looks again.
          const created = await link(staged, versionPath(path, versions.length + 1)).then(
            () => true,
            (error: NodeJS.ErrnoException) => {
              if (error.code === 'EEXIST') return false;
              throw error;
            },
          );
          if (created) return;
        }
      } finally {
        await rm(staged, { force: true });
      }
    } catch (error) {
      if (error instanceof TypeError) throw error;
      // fs messages name the path.
      throw new ServiceUnavailable('The audit archive could not be written: the next run retries.');
    }
  }

  /** Every version stored at `key`, oldest first (the last is the current one). For tests and inspection. */
  async versions(key: string): Promise<Uint8Array[]> {
    assertArchiveKey(key);
    const path = this.path(key);
    const versions: Uint8Array[] = [];
    for (let n = 1; ; n++) {
      const bytes = await readFile(versionPath(path, n)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!bytes) return versions;
      versions.push(new Uint8Array(bytes));
    }
  }

  private path(key: string): string {
    // The key was checked against AUDIT_ARCHIVE_KEY: no `..`, no absolute path.
    return join(this.directory, ...key.split('/'));
  }
}

function versionPath(path: string, version: number): string {
  return version === 1 ? path : `${path}.v${version}`;
}

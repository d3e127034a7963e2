import { CofferError } from '../../../shared/core/errors/index.js';
import type { KeyPinStore } from '../KeyPinStore.js';
import { readJsonFile, writePrivateFile } from './privateFiles.js';

/** pins.json: `{ "version": 1, "servers": { "<server url>": { "<userId>": "<fingerprint>" } } }`. */
interface PinFile {
  version: 1;
  servers: Record<string, Record<string, string>>;
}

/**
 * Key pins in a JSON file (mode 0600), one section per server since user ids are per
 * server. Every write re-reads the file, so pins set by another process are kept.
 */
export class FileKeyPinStore implements KeyPinStore {
  constructor(
    readonly path: string,
    private readonly serverUrl: string,
  ) {}

  async get(userId: string): Promise<string | undefined> {
    const file = await this.read();
    return file.servers[this.serverUrl]?.[userId];
  }

  async set(userId: string, fingerprint: string): Promise<void> {
    const file = await this.read();
    file.servers[this.serverUrl] = { ...file.servers[this.serverUrl], [userId]: fingerprint };
    await writePrivateFile(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }

  private async read(): Promise<PinFile> {
    const data = await readJsonFile(this.path);
    if (data === undefined) return { version: 1, servers: {} };
    if (!isPinFile(data)) throw new CofferError('PROFILE_FILE_INVALID', `${this.path} is not a Coffer pin file: fix it (deleting it forgets every pinned key).`);
    return data;
  }
}

function isPinFile(value: unknown): value is PinFile {
  if (typeof value !== 'object' || value === null) return false;
  const { version, servers } = value as Record<string, unknown>;
  if (version !== 1 || typeof servers !== 'object' || servers === null) return false;
  return Object.values(servers).every(
    (pins) => typeof pins === 'object' && pins !== null && Object.values(pins).every((fp) => typeof fp === 'string'),
  );
}

import { rm } from 'node:fs/promises';
import { CofferError } from '../../../shared/core/errors/index.js';
import type { Session, SessionStore } from '../Session.js';
import { readJsonFile, writePrivateFile } from './privateFiles.js';

/** The session as a JSON file, mode 0600 (it holds the unsealed private key). */
export class FileSessionStore implements SessionStore {
  constructor(readonly path: string) {}

  async load(): Promise<Session | undefined> {
    const data = await readJsonFile(this.path);
    if (data === undefined) return undefined;
    if (!isSession(data)) throw new CofferError('PROFILE_FILE_INVALID', `${this.path} is not a Coffer session: delete it and log in again.`);
    return data;
  }

  async save(session: Session): Promise<void> {
    await writePrivateFile(this.path, `${JSON.stringify(session, null, 2)}\n`);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

const FIELDS = [
  'serverUrl',
  'userId',
  'accessToken',
  'accessExpiresAt',
  'refreshToken',
  'refreshExpiresAt',
  'privateKeyPkcs8',
  'publicKeySpki',
  'fingerprint',
] as const;

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return FIELDS.every((f) => typeof record[f] === 'string');
}

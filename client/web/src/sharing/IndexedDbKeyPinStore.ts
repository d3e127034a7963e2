import { NotLoggedInError } from '../../../sdk/errors.js';
import { type KeyPinStore, MemoryKeyPinStore } from '../../../sdk/KeyPinStore.js';
import { indexedDbRun, type IndexedDbSchema } from '../indexedDbRun.js';

/**
 * Trust-on-first-use pins that outlive the tab (docs/web.md, "Sharing"): IndexedDB database
 * `coffer-pins`, one record per server, signed-in user and pinned id (a user id, or `g:<groupId>`
 * for a group), so a changed key is noticed after a reload too, and two people using one browser
 * never share pins. A fingerprint is public: nothing secret is stored. Every read goes to the
 * database (no cache), so a pin another tab accepted counts at once.
 */
const DB = 'coffer-pins';
const STORE = 'pins';

interface PinRecord {
  server: string;
  owner: string;
  pinId: string;
  fingerprint: string;
  pinnedAt: string;
}

export class IndexedDbKeyPinStore implements KeyPinStore {
  /** Where pins go when this browser refuses IndexedDB: this worker's memory, as before (lost at reload). */
  private fallback: MemoryKeyPinStore | undefined;

  /** `owner`: the signed-in user id, read at each call (the worker's client signs in after it is made). */
  constructor(
    private readonly server: string,
    private readonly owner: () => Promise<string | undefined>,
  ) {}

  /** False once IndexedDB was refused: pins then last as long as the tab. */
  get persistent(): boolean {
    return this.fallback === undefined;
  }

  async get(pinId: string): Promise<string | undefined> {
    const owner = await this.signedIn();
    if (this.fallback) return this.fallback.get(`${owner}\n${pinId}`);
    try {
      const found = (await run('readonly', (store) => store.get([this.server, owner, pinId]))) as PinRecord | undefined;
      return found?.fingerprint;
    } catch {
      return this.fallBack().get(`${owner}\n${pinId}`);
    }
  }

  async set(pinId: string, fingerprint: string): Promise<void> {
    const owner = await this.signedIn();
    if (this.fallback) return this.fallback.set(`${owner}\n${pinId}`, fingerprint);
    const record: PinRecord = { server: this.server, owner, pinId, fingerprint, pinnedAt: new Date().toISOString() };
    try {
      await run('readwrite', (store) => store.put(record));
    } catch {
      await this.fallBack().set(`${owner}\n${pinId}`, fingerprint);
    }
  }

  private async signedIn(): Promise<string> {
    const owner = await this.owner();
    if (owner === undefined) throw new NotLoggedInError();
    return owner;
  }

  private fallBack(): MemoryKeyPinStore {
    return (this.fallback ??= new MemoryKeyPinStore());
  }
}

const SCHEMA: IndexedDbSchema = { name: DB, version: 1, upgrade: (db) => db.createObjectStore(STORE, { keyPath: ['server', 'owner', 'pinId'] }) };

function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return indexedDbRun(SCHEMA, STORE, mode, act);
}

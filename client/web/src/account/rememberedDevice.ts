import type { RememberedDevice } from '../../../sdk/resumeSession.js';
import { indexedDbRun, type IndexedDbSchema } from '../indexedDbRun.js';

/**
 * "Remember this device" (docs/web.md): the private key as a non-extractable CryptoKey in
 * IndexedDB, which stores CryptoKeys by structured clone without ever exposing their bytes to
 * script. Nothing else is kept: the session itself is the HttpOnly refresh cookie.
 */
const DB = 'coffer';
const STORE = 'device';
const KEY = 'current';

const SCHEMA: IndexedDbSchema = { name: DB, version: 1, upgrade: (db) => db.createObjectStore(STORE) };

function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return indexedDbRun(SCHEMA, STORE, mode, act);
}

export async function loadRememberedDevice(): Promise<RememberedDevice | undefined> {
  const found = (await run('readonly', (store) => store.get(KEY))) as RememberedDevice | undefined;
  // Security check, do not remove: only a key the browser will never export is used.
  return found && found.privateKey instanceof CryptoKey && !found.privateKey.extractable ? found : undefined;
}

export async function rememberDevice(device: RememberedDevice): Promise<void> {
  if (device.privateKey.extractable) throw new Error('Only a non-extractable key may be remembered');
  await run('readwrite', (store) => store.put(device, KEY));
}

export async function forgetDevice(): Promise<void> {
  await run('readwrite', (store) => store.delete(KEY));
}

/** Whether a device key is stored, without starting the account worker (the sign-in page stays light). */
export async function hasRememberedDevice(): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  try {
    return (await run('readonly', (store) => store.count(KEY))) > 0;
  } catch {
    return false; // private windows may refuse IndexedDB: nothing is remembered there
  }
}

/** One IndexedDB database of the app: its name, version and what an upgrade creates. */
export interface IndexedDbSchema {
  name: string;
  version: number;
  upgrade(db: IDBDatabase): void;
}

/**
 * One request in one transaction on one store, the database opened for it and closed after (so
 * an upgrade in another tab is never blocked by a connection this one keeps). Resolves when the
 * transaction completes, so a write is durable by then.
 */
export async function indexedDbRun<T>(schema: IndexedDbSchema, storeName: string, mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(schema.name, schema.version);
    request.onupgradeneeded = () => schema.upgrade(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
  });
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const request = act(tx.objectStore(storeName));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

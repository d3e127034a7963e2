export { readAll } from '../../../helpers/streams.js';
import { TEST_KDF } from '../../../../shared/core/crypto/index.js';
import { CofferClient } from '../../../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../../../client/sdk/KeyPinStore.js';
import { MemorySessionStore } from '../../../../client/sdk/Session.js';
import type { Tuning } from '../../../../client/sdk/ClientContext.js';
import { API, type FakeCoffer } from './FakeCoffer.js';

export interface TestUser {
  client: CofferClient;
  sessions: MemorySessionStore;
  pins: MemoryKeyPinStore;
  passphrase: string;
}

/** A client of the fake server with in-memory stores; weak KDF allowed (test accounts). */
export function clientFor(server: FakeCoffer, tuning: Partial<Tuning> = {}) {
  const sessions = new MemorySessionStore();
  const pins = new MemoryKeyPinStore();
  const client = new CofferClient({
    serverUrl: API,
    fetch: server.fetch,
    sessionStore: sessions,
    pinStore: pins,
    tuning: { allowWeakKdf: true, ...tuning },
  });
  return { client, sessions, pins };
}

/** Registers (TEST_KDF) and returns a logged-in client. */
export async function registered(server: FakeCoffer, userId: string, tuning: Partial<Tuning> = {}): Promise<TestUser> {
  const passphrase = `${userId}-correct-horse-battery-staple`;
  const user = clientFor(server, tuning);
  await user.client.register({ userId, name: userId[0]!.toUpperCase() + userId.slice(1), passphrase, kdf: TEST_KDF });
  return { ...user, passphrase };
}

export function bytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The thrown error, for asserting code and message together. */
export async function caught(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Byte equality without a deep-equal walk (slow on megabytes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

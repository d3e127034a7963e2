/**
 * Trust-on-first-use pins: the fingerprint of each user's public key as first seen, and of
 * each group's under `g:<groupId>`. A store is scoped to one server (ids are per server).
 */
export interface KeyPinStore {
  get(userId: string): Promise<string | undefined>;
  set(userId: string, fingerprint: string): Promise<void>;
}

export class MemoryKeyPinStore implements KeyPinStore {
  private readonly pins = new Map<string, string>();

  constructor(initial?: Record<string, string>) {
    for (const [userId, fp] of Object.entries(initial ?? {})) this.pins.set(userId, fp);
  }

  async get(userId: string): Promise<string | undefined> {
    return this.pins.get(userId);
  }

  async set(userId: string, fingerprint: string): Promise<void> {
    this.pins.set(userId, fingerprint);
  }

  entries(): Record<string, string> {
    return Object.fromEntries(this.pins);
  }
}

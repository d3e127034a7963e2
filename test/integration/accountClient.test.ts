import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { MemorySessionStore } from '../../client/sdk/Session.js';
import { TEST_KDF, generatePassphrase } from '../../shared/core/crypto/index.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import { type CliResult, jsonOf, runCli, succeeded } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { readAll } from '../helpers/streams.js';
import { rejection as failure } from '../helpers/rejection.js';

/**
 * Passphrase and profile changes through the SDK (`changePassphrase`, `updateProfile`) and the
 * real CLI (`coffer passwd`, `coffer profile`) against the local stack.
 */
let stack: LocalStack;
let root: string;

beforeAll(async () => {
  stack = await startLocalStack();
  root = await mkdtemp(join(tmpdir(), 'coffer-account-'));
});
afterAll(() => stack?.stop());

function client(store = new MemorySessionStore()): CofferClient {
  return new CofferClient({ serverUrl: stack.url, sessionStore: store, pinStore: new MemoryKeyPinStore(), tuning: { allowWeakKdf: true } });
}

async function registered(userId: string): Promise<{ client: CofferClient; store: MemorySessionStore; passphrase: string }> {
  const store = new MemorySessionStore();
  const c = client(store);
  const passphrase = `${userId}-account-client-passphrase`;
  await c.register({ userId, name: userId, passphrase, kdf: TEST_KDF });
  return { client: c, store, passphrase };
}

async function readsBack(c: CofferClient, documentId: string, expected: Uint8Array): Promise<boolean> {
  const down = await c.download(documentId);
  return Buffer.from(await readAll(down.stream)).equals(expected);
}

describe('CofferClient.changePassphrase', () => {
  it('re-seals the same key pair: this client carries on, documents shared before still open, other sessions end', async () => {
    const ann = await registered('acc-ann');
    const ben = await registered('acc-ben');
    const data = bytes(50_000, 1);
    const { documentId } = await ben.client.upload(data, { name: 'shared-before.txt' });
    await ben.client.share(documentId, { userIds: ['acc-ann'] });
    // A second session of ann's, elsewhere.
    const phoneStore = new MemorySessionStore();
    const phone = client(phoneStore);
    await phone.login('acc-ann', ann.passphrase);
    const fingerprint = (await ann.client.session())!.fingerprint;

    const next = generatePassphrase().passphrase;
    const profile = await ann.client.changePassphrase(ann.passphrase, next, { kdf: TEST_KDF });
    expect(profile).toMatchObject({ userId: 'acc-ann', fingerprint });
    expect(await readsBack(ann.client, documentId, data)).toBe(true);
    // This client holds a fresh session: its refresh token works.
    const session = (await ann.client.session())!;
    await ann.client.api.post('/auth/refresh', { refreshToken: session.refreshToken }, { auth: false });

    // The phone's session is over as soon as it needs a new access token.
    const stale = (await phoneStore.load())!;
    await phoneStore.save({ ...stale, accessExpiresAt: new Date(0).toISOString() });
    expect((await failure(client(phoneStore).whoami())).code).toBe('SESSION_EXPIRED');

    expect((await failure(client().login('acc-ann', ann.passphrase))).code).toBe('INVALID_CREDENTIALS');
    const elsewhere = client();
    await elsewhere.login('acc-ann', next);
    expect(await readsBack(elsewhere, documentId, data)).toBe(true);
  }, 20_000);

  it('refuses a weak new passphrase, the same passphrase and a wrong current one before or without changing anything', async () => {
    const cal = await registered('acc-cal');
    const before = (await readAuditEvents(stack.deps.db)).length;
    const weak = await failure(cal.client.changePassphrase(cal.passphrase, 'password1234', { kdf: TEST_KDF }));
    expect(weak.code).toBe('WEAK_PASSPHRASE');
    const same = await failure(cal.client.changePassphrase(cal.passphrase, cal.passphrase, { kdf: TEST_KDF }));
    expect(same.code).toBe('SAME_PASSPHRASE');
    // Refused here: nothing reached the server's audited route.
    expect((await readAuditEvents(stack.deps.db)).length).toBe(before);

    const wrong = await failure(cal.client.changePassphrase('not the current passphrase at all', generatePassphrase().passphrase, { kdf: TEST_KDF }));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.message).toBe('Wrong current passphrase: nothing was changed.');
    await client().login('acc-cal', cal.passphrase);
    // The session survived the refusal.
    expect((await cal.client.whoami()).userId).toBe('acc-cal');
  });
});

describe('CofferClient.updateProfile', () => {
  it('changes and removes fields', async () => {
    const dee = await registered('acc-dee');
    expect(await dee.client.updateProfile({ name: 'Dee Dee', email: 'dee@example.org', designation: 'Counsel' })).toMatchObject({
      userId: 'acc-dee',
      name: 'Dee Dee',
      email: 'dee@example.org',
      designation: 'Counsel',
    });
    const after = await dee.client.updateProfile({ email: null });
    expect(after).toMatchObject({ name: 'Dee Dee', designation: 'Counsel' });
    expect(after).not.toHaveProperty('email');
    expect((await failure(dee.client.updateProfile({}))).code).toBe('VALIDATION_FAILED');
  });
});

describe('coffer passwd and coffer profile', () => {
  const as = (user: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> =>
    runCli(args, { home: join(root, user), serverUrl: stack.url, ...options });

  it('changes the passphrase (a generated one, shown once): the new one logs in, the old one does not', async () => {
    const { passphrase } = jsonOf(succeeded(await as('eli', ['--json', 'register', '--user', 'eli'])));
    const changed = jsonOf(succeeded(await as('eli', ['--json', 'passwd'], { env: { COFFER_PASSPHRASE: passphrase } })));
    expect(changed).toMatchObject({ userId: 'eli', passphraseChanged: true, entropyBits: 77 });
    expect(changed.passphrase).not.toBe(passphrase);
    // The session carries on.
    expect(jsonOf(succeeded(await as('eli', ['--json', 'whoami']))).userId).toBe('eli');

    const old = await as('eli-2', ['--json', 'login', '--user', 'eli'], { env: { COFFER_PASSPHRASE: passphrase } });
    expect(old.code).toBe(3);
    expect(jsonOf(old).error.code).toBe('INVALID_CREDENTIALS');
    succeeded(await as('eli-2', ['login', '--user', 'eli', '--passphrase-stdin'], { stdin: `${changed.passphrase}\n` }));
  }, 40_000);

  it('takes your own new passphrase on stdin if it is strong, and says what went wrong otherwise', async () => {
    const { passphrase } = jsonOf(succeeded(await as('fay', ['--json', 'register', '--user', 'fay'])));
    const weak = await as('fay', ['passwd', '--new-passphrase-stdin'], { env: { COFFER_PASSPHRASE: passphrase }, stdin: 'fay12345678\n' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/Passphrase refused/);

    const wrong = await as('fay', ['passwd', '--new-passphrase-stdin'], { env: { COFFER_PASSPHRASE: 'not-my-passphrase-at-all' }, stdin: `${generatePassphrase().passphrase}\n` });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('Wrong current passphrase: nothing was changed.');

    const both = await as('fay', ['passwd', '--passphrase-stdin', '--new-passphrase-stdin'], { stdin: 'x\n' });
    expect(both.code).toBe(2);

    const mine = 'quartz-meadow-velvet-harbor-lantern-orbit';
    const ok = succeeded(await as('fay', ['passwd', '--new-passphrase-stdin'], { env: { COFFER_PASSPHRASE: passphrase }, stdin: `${mine}\n` }));
    expect(ok.stdout).toContain('Passphrase changed for fay.');
    expect(ok.stdout).not.toContain(mine);
    succeeded(await as('fay-2', ['login', '--user', 'fay'], { env: { COFFER_PASSPHRASE: mine } }));
  }, 45_000);

  it('changes the profile, removes a field with --no-email, and refuses an empty change', async () => {
    succeeded(await as('gus', ['--json', 'register', '--user', 'gus', '--email', 'gus@example.org']));
    const updated = jsonOf(succeeded(await as('gus', ['--json', 'profile', '--name', 'Gustav Holm', '--designation', 'Controller'])));
    expect(updated).toMatchObject({ userId: 'gus', name: 'Gustav Holm', email: 'gus@example.org', designation: 'Controller' });
    const removed = jsonOf(succeeded(await as('gus', ['--json', 'profile', '--no-email'])));
    expect(removed).not.toHaveProperty('email');
    expect(removed.name).toBe('Gustav Holm');
    const empty = await as('gus', ['profile']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/Nothing to change/);
  });
});

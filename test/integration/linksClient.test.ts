import { hkdfSync } from 'node:crypto';
import { argon2id } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import type { FetchLike } from '../../client/sdk/ApiClient.js';
import { MemoryKeyPinStore } from '../../client/sdk/KeyPinStore.js';
import { openLink } from '../../client/sdk/openLink.js';
import { deriveLinkKeys, newLinkSecret, parseLinkUrl, TEST_KDF, unwrapLinkKey } from '../../shared/core/crypto/index.js';
import { DecryptionFailed } from '../../shared/core/errors/index.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { readAll } from '../helpers/streams.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';
import { rejection as failure } from '../helpers/rejection.js';

/**
 * Share links through the SDK against the real handlers on DynamoDB Local and s3rver: a
 * recipient with no account opens document and folder links, passwords, a changed secret,
 * view-only and signed-in links, and the acceptance test that nothing sent lets the server
 * unwrap a link's key.
 */

interface Recorded {
  method: string;
  url: string;
  headers: string;
  body: string;
}

let stack: LocalStack;
const clients: Record<string, CofferClient> = {};
const recorded: Recorded[] = [];

/** fetch, with every request's URL, headers and body written down first. */
const recordingFetch: FetchLike = async (input, init = {}) => {
  const headers: [string, string][] = [];
  new Headers(init.headers).forEach((value, name) => headers.push([name, value]));
  const body = init.body;
  recorded.push({
    method: init.method ?? 'GET',
    url: input,
    headers: JSON.stringify(headers),
    body: body === undefined || body === null ? '' : typeof body === 'string' ? body : '[binary upload]',
  });
  return globalThis.fetch(input, init);
};

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** A fresh anonymous recipient: the standalone openLink, no session, no client. */
function anonymous(url: string, options: Parameters<typeof openLink>[1] = {}) {
  return openLink(url, { fetch: recordingFetch, ...options });
}

beforeAll(async () => {
  stack = await startLocalStack();
  await Promise.all(
    ['ann', 'ben'].map(async (userId) => {
      const client = new CofferClient({
        serverUrl: stack.url,
        pinStore: new MemoryKeyPinStore(),
        fetch: recordingFetch,
        tuning: { allowWeakKdf: true, linkKdf: TEST_KDF },
      });
      await client.register({ userId, name: userId, passphrase: `${userId}-links-client-passphrase`, kdf: TEST_KDF });
      clients[userId] = client;
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('share links through the SDK on the local stack', () => {
  it('opens a document link anonymously: the name and the bytes are the original', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const data = bytes(150_000, 1);
    const { documentId } = await ann!.upload(data, { name: 'report Q3 ✓.pdf' });

    // Act
    const { url, link } = await ann!.createLink(documentId);
    const opened = await anonymous(url);

    // Assess
    expect(url.startsWith(`${stack.url}/l/`)).toBe(true);
    expect(link).toMatchObject({ nodeId: documentId, nodeKind: 'document', access: 'download', passwordProtected: false, state: 'active' });
    expect(opened.link).toMatchObject({ linkId: link.linkId, nodeId: documentId, nodeKind: 'document', access: 'download' });
    expect(opened.node).toEqual({ nodeId: documentId, kind: 'document', name: 'report Q3 ✓.pdf', size: 150_000 });
    expect(same(await readAll(opened.stream!), data)).toBe(true);
  });

  it('asks for the password, refuses a wrong one and opens with the right one', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const data = bytes(5_000, 2);
    const { documentId } = await ann!.upload(data, { name: 'secret.txt' });
    const { url, link } = await ann!.createLink(documentId, { password: 'caf\u00e9 au lait glac\u00e9' });

    // Act
    const required = await failure(anonymous(url));
    const wrong = await failure(anonymous(url, { password: 'cafe au lait glace' }));
    let asked = 0;
    const opened = await anonymous(url, {
      password: async () => {
        asked++;
        return 'cafe\u0301 au lait glace\u0301'; // the same password, decomposed: NFC makes it equal
      },
    });

    // Assess
    expect(link.passwordProtected).toBe(true);
    expect(required).toMatchObject({ status: 401, code: 'LINK_PASSWORD_REQUIRED' });
    expect(required.details?.kdf).toEqual({ ...TEST_KDF });
    expect(wrong).toMatchObject({ status: 401, code: 'LINK_PASSWORD_WRONG' });
    expect(asked).toBe(1);
    expect(opened.node.name).toBe('secret.txt');
    expect(same(await readAll(opened.stream!), data)).toBe(true);
  });

  it('lists a folder link and opens a document and a subfolder inside, reusing the derived keys', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const { folderId } = await ann!.createFolder('Projects');
    const { folderId: subId } = await ann!.createFolder('Drafts', { parent: folderId });
    const inside = bytes(20_000, 3);
    const { documentId } = await ann!.upload(inside, { name: 'plan.md', parent: folderId });
    const { documentId: deepId } = await ann!.upload(bytes(10, 4), { name: 'deep.txt', parent: subId });
    const { url } = await ann!.createLink(folderId, { password: 'folder-tulip-orbit' });

    // Act
    const opened = await anonymous(url, { password: 'folder-tulip-orbit' });
    const doc = await opened.open(documentId);
    const sub = await opened.open(subId);

    // Assess
    expect(opened.node).toEqual({ nodeId: folderId, kind: 'folder', name: 'Projects' });
    expect(opened.stream).toBeUndefined();
    expect(opened.children?.map((c) => c.name).sort()).toEqual(['Drafts', 'plan.md']);
    expect(opened.children?.find((c) => c.nodeId === documentId)).toEqual({ nodeId: documentId, kind: 'document', name: 'plan.md', size: 20_000 });
    expect(doc.node.name).toBe('plan.md');
    expect(same(await readAll(doc.stream!), inside)).toBe(true);
    expect(sub.node).toEqual({ nodeId: subId, kind: 'folder', name: 'Drafts' });
    expect(sub.children).toEqual([{ nodeId: deepId, kind: 'document', name: 'deep.txt', size: 10 }]);
  });

  it('fails with DecryptionFailed when the secret in the URL is changed', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const { documentId } = await ann!.upload(bytes(100, 5), { name: 'x.bin' });
    const { url } = await ann!.createLink(documentId);
    const { base, token } = parseLinkUrl(url);

    // Act
    const error = await failure(anonymous(`${base}/l/${token}#${newLinkSecret()}`));

    // Assess
    expect(error).toBeInstanceOf(DecryptionFailed);
    expect(error).toMatchObject({ code: 'DECRYPTION_FAILED', message: 'Decryption failed.' });
  });

  it('reports a view-only link as access "view"', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const { documentId } = await ann!.upload(bytes(100, 6), { name: 'look.png' });

    // Act
    const { url, link } = await ann!.createLink(documentId, { access: 'view' });
    const opened = await anonymous(url);
    await opened.stream?.cancel();

    // Assess
    expect(link.access).toBe('view');
    expect(opened.link.access).toBe('view');
  });

  it('opens a signed-in link only through a signed-in client', async () => {
    // Prepare
    const { ann, ben } = clients as Record<string, CofferClient>;
    const data = bytes(3_000, 7);
    const { documentId } = await ann!.upload(data, { name: 'members.txt' });
    const { url } = await ann!.createLink(documentId, { audience: { mode: 'signed-in' }, maxDownloads: 5 });

    // Act
    const anonymousError = await failure(anonymous(url));
    const opened = await ben!.openLink(url);

    // Assess
    expect(anonymousError).toMatchObject({ status: 401, code: 'LINK_SIGN_IN_REQUIRED' });
    expect(opened.node.name).toBe('members.txt');
    expect(opened.link.downloadsLeft).toBe(4);
    expect(same(await readAll(opened.stream!), data)).toBe(true);
  });

  it('lists a node\'s links and revokes one', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const { documentId } = await ann!.upload(bytes(10, 8), { name: 'short-lived.txt' });
    const first = await ann!.createLink(documentId);
    const second = await ann!.createLink(documentId, { password: 'second-harbor-lantern', maxDownloads: 3 });

    // Act
    const listed = await ann!.listLinks(documentId);
    await ann!.revokeLink(first.link.linkId);
    const afterRevoke = await failure(anonymous(first.url));
    const stillListed = await ann!.listLinks(documentId);

    // Assess
    expect(listed.links.map((l) => l.linkId)).toEqual([first.link.linkId, second.link.linkId]);
    expect(listed.links[1]).toMatchObject({ passwordProtected: true, maxDownloads: 3, downloads: 0 });
    expect(JSON.stringify(listed)).not.toContain(parseLinkUrl(first.url).token);
    expect(afterRevoke).toMatchObject({ status: 404, code: 'LINK_NOT_FOUND' });
    expect(stillListed.links.map((l) => l.linkId)).toEqual([second.link.linkId]);
  });
});

// ---------------------------------------------------------------------------------------
// Acceptance: the link secret never reaches the server.
// ---------------------------------------------------------------------------------------

/** Every text form a 32-byte value could be smuggled in. */
function encodings(value: Uint8Array): string[] {
  const b = Buffer.from(value);
  const std = b.toString('base64');
  return [b.toString('base64url'), std, std.replace(/=+$/, ''), encodeURIComponent(std), b.toString('hex'), b.toString('hex').toUpperCase()];
}

/** Every 32-byte window of every value decodable from a base64url, base64 or hex run in `text`. */
function candidates(text: string): Uint8Array[] {
  const out = new Map<string, Uint8Array>();
  const windows = (decoded: Buffer) => {
    for (let i = 0; i + 32 <= decoded.length; i++) out.set(decoded.subarray(i, i + 32).toString('hex'), new Uint8Array(decoded.subarray(i, i + 32)));
  };
  for (const run of text.match(/[A-Za-z0-9_-]{43,}/g) ?? []) {
    for (let shift = 0; shift < 4; shift++) windows(Buffer.from(run.slice(shift), 'base64url'));
  }
  for (const run of text.match(/[A-Za-z0-9+/]{43,}={0,2}/g) ?? []) {
    for (let shift = 0; shift < 4; shift++) windows(Buffer.from(run.slice(shift), 'base64'));
  }
  for (const run of text.match(/[0-9a-fA-F]{64,}/g) ?? []) {
    for (let shift = 0; shift < 2; shift++) windows(Buffer.from(run.slice(shift, shift + Math.floor((run.length - shift) / 2) * 2), 'hex'));
  }
  return [...out.values()];
}

/** pwKey exactly as docs/links.md spells it, computed here from node:crypto and hash-wasm. */
async function spelledPwKey(secret: string, password: string): Promise<Uint8Array> {
  const salt = new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'base64url'), Buffer.alloc(0), Buffer.from('coffer/v1/link-password-salt'), 16));
  return argon2id({
    password: Buffer.from(password.normalize('NFC')),
    salt,
    memorySize: TEST_KDF.memoryKiB,
    iterations: TEST_KDF.iterations,
    parallelism: TEST_KDF.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
}

describe('the link secret never reaches the server', () => {
  it('sends nothing, on create or open (with and without a password, presigned GET included), that contains or unwraps the link key', async () => {
    // Prepare
    const { ann } = clients as Record<string, CofferClient>;
    const data = bytes(70_000, 9);
    const { documentId } = await ann!.upload(data, { name: 'acceptance.bin' });
    const password = 'never-sent pässword';
    recorded.length = 0;

    // Act: create both links and open each anonymously; every request is recorded.
    const plain = await ann!.createLink(documentId);
    const guarded = await ann!.createLink(documentId, { password });
    const openedPlain = await anonymous(plain.url);
    const plainBytes = await readAll(openedPlain.stream!);
    await failure(anonymous(guarded.url)); // LINK_PASSWORD_REQUIRED
    const openedGuarded = await anonymous(guarded.url, { password });
    const guardedBytes = await readAll(openedGuarded.stream!);

    // Assess: the flows really ran, the presigned GETs and the proof were recorded.
    expect(same(plainBytes, data) && same(guardedBytes, data)).toBe(true);
    const texts = recorded.map((r) => `${r.method} ${r.url}\n${r.headers}\n${r.body}`);
    const all = texts.join('\n');
    expect(recorded.filter((r) => r.url.includes('X-Amz-Signature')).length).toBeGreaterThanOrEqual(2);
    const creates = recorded.filter((r) => r.method === 'POST' && r.url.endsWith(`/nodes/${documentId}/links`));
    expect(creates).toHaveLength(2);
    const { linkKey: guardedKey, proof } = await deriveLinkKeys(parseLinkUrl(guarded.url).secret, { password, kdf: TEST_KDF });
    expect(all).toContain(proof!);

    for (const [created, body] of [
      [plain, creates[0]!.body],
      [guarded, creates[1]!.body],
    ] as const) {
      const { secret } = parseLinkUrl(created.url);
      const { linkKey } = created === guarded ? { linkKey: guardedKey } : await deriveLinkKeys(secret);
      const secrets: Uint8Array[] = [Buffer.from(secret, 'base64url'), linkKey];
      if (created === guarded) secrets.push(await spelledPwKey(secret, password));

      // No encoding of the secret, the link key or the password key appears anywhere.
      for (const value of secrets) {
        for (const form of encodings(value)) expect(all.includes(form), `found ${form}`).toBe(false);
      }

      // Nothing decodable from what was sent unwraps the wrap; the real key does (the check can fail).
      const { wrappedKey, keyGeneration } = JSON.parse(body) as { wrappedKey: string; keyGeneration: number };
      const node = { nodeId: documentId, keyGeneration };
      expect(await unwrapLinkKey(linkKey, wrappedKey, node)).toHaveLength(32);
      const tried = candidates(all);
      expect(tried.length).toBeGreaterThan(100);
      for (const candidate of tried) {
        const outcome = await unwrapLinkKey(candidate, wrappedKey, node).then(
          () => 'UNWRAPPED',
          (e: unknown) => (e instanceof DecryptionFailed ? 'DecryptionFailed' : String(e)),
        );
        if (outcome !== 'DecryptionFailed') expect.fail(`a value sent to the server gave ${outcome}`);
      }
    }
  });
});

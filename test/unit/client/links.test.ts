import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openLink } from '../../../client/sdk/openLink.js';
import { argon2idBytes } from '../../../shared/core/crypto/argon2id.js';
import {
  checkLinkPasswordStrength,
  deriveLinkKeys,
  encryptBytes,
  encryptMetadata,
  formatLinkUrl,
  fromBase64Url,
  generateDataKey,
  MAX_KDF,
  newLinkSecret,
  parseLinkUrl,
  TEST_KDF,
  toBase64Url,
  unwrapLinkKey,
  wrapKeyForLink,
  wrapKeyUnderKey,
} from '../../../shared/core/crypto/index.js';
import type { OpenLinkResponse } from '../../../shared/core/api/schemas/links.js';
import { bytes, caught, readAll, registered, sameBytes, type TestUser } from './support/clients.js';
import { API, error, FakeCoffer, json, type Call } from './support/FakeCoffer.js';

vi.mock('../../../shared/core/crypto/argon2id.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../shared/core/crypto/argon2id.js')>();
  return { argon2idBytes: vi.fn(actual.argon2idBytes) };
});

const LINK_BASE = 'https://links.example';
const S3_URL = 'https://s3.example/object';
const TOKEN = toBase64Url(new Uint8Array(32).fill(7));
const LINK_ID = '0123456789abcdef0123456789abcdef';
const EXPIRES = new Date(Date.now() + 86_400_000).toISOString();

function nodeId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * What a link server holds for one link, built here exactly as a creator would: a document,
 * or a folder with a document and a subfolder, its key wrapped under the link key.
 */
async function linkFixture(kind: 'document' | 'folder', password?: string) {
  const secret = newLinkSecret();
  const { linkKey, proof } = await deriveLinkKeys(secret, password ? { password, kdf: TEST_KDF } : undefined);
  const root = { id: nodeId(), key: generateDataKey(), generation: 2 };
  const doc = { id: kind === 'document' ? root.id : nodeId(), key: kind === 'document' ? root.key : generateDataKey(), data: bytes(3000, 5) };
  const sub = { id: nodeId(), key: generateDataKey() };
  const ciphertext = await encryptBytes(doc.key, { documentId: doc.id, version: 4 }, doc.data);
  const docNode = {
    nodeId: doc.id,
    kind: 'document' as const,
    encryptedName: await encryptMetadata(doc.key, doc.id, 'name', 'doc.txt'),
    keyGeneration: kind === 'document' ? root.generation : 1,
    size: ciphertext.length,
    version: 4,
    createdAt: EXPIRES,
  };
  const rootName = await encryptMetadata(root.key, root.id, 'name', kind === 'document' ? 'doc.txt' : 'Shared');
  const entry = {
    nodeId: root.id,
    principalId: 'link',
    wrappedKey: await wrapKeyForLink(linkKey, root.key, { nodeId: root.id, keyGeneration: root.generation }),
    keyGeneration: root.generation,
  };
  const link = { linkId: LINK_ID, nodeId: root.id, nodeKind: kind, access: 'download' as const, expiresAt: EXPIRES };
  const children =
    kind === 'folder'
      ? [
          {
            ...docNode,
            parentWrap: await wrapKeyUnderKey(root.key, doc.key, { kind: 'folder-child', resourceId: doc.id, generation: 1, parentId: root.id, parentGeneration: 2 }),
            parentKeyGeneration: 2,
          },
          {
            nodeId: sub.id,
            kind: 'folder' as const,
            encryptedName: await encryptMetadata(sub.key, sub.id, 'name', 'Sub'),
            keyGeneration: 1,
            parentWrap: await wrapKeyUnderKey(root.key, sub.key, { kind: 'folder-child', resourceId: sub.id, generation: 1, parentId: root.id, parentGeneration: 2 }),
            parentKeyGeneration: 2,
            createdAt: EXPIRES,
          },
        ]
      : undefined;
  /** The server's answer for a target (the link's node by default). */
  const respond = (target?: string, cursor?: string): OpenLinkResponse => {
    if (kind === 'document' || target === undefined || target === root.id) {
      if (kind === 'document') {
        return { link, node: docNode, keyPath: { entry, steps: [], chains: {} }, download: { url: S3_URL, expiresAt: EXPIRES } };
      }
      const page = cursor === 'p2' ? children!.slice(1) : children!.slice(0, 1);
      return {
        link,
        node: { nodeId: root.id, kind: 'folder', encryptedName: rootName, keyGeneration: 2, createdAt: EXPIRES },
        keyPath: { entry, steps: [], chains: {} },
        children: page,
        ...(cursor === 'p2' ? {} : { cursor: 'p2' }),
      };
    }
    const child = children!.find((c) => c.nodeId === target)!;
    const step = { nodeId: child.nodeId, keyGeneration: child.keyGeneration, parentId: root.id, parentKeyGeneration: 2, wrappedKey: child.parentWrap };
    const { parentWrap: _w, parentKeyGeneration: _g, ...node } = child;
    return {
      link,
      node,
      keyPath: { entry, steps: [step], chains: {} },
      ...(child.kind === 'document' ? { download: { url: S3_URL, expiresAt: EXPIRES } } : { children: [] }),
    };
  };
  // The fixture derived keys itself: count only what the code under test derives.
  vi.mocked(argon2idBytes).mockClear();
  return { secret, url: formatLinkUrl(LINK_BASE, TOKEN, secret), proof, linkKey, root, doc, sub, ciphertext, respond };
}

/** A fake link server behind fetch: records every call, asks for the password when the link has one. */
function linkServer(fixture: Awaited<ReturnType<typeof linkFixture>>, options: { password?: boolean; tamper?: (r: OpenLinkResponse) => OpenLinkResponse } = {}) {
  const calls: { url: string; init: RequestInit; body?: Record<string, unknown> }[] = [];
  const fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    calls.push({ url, init, ...(body ? { body } : {}) });
    if (url === S3_URL) return new Response(fixture.ciphertext as Uint8Array<ArrayBuffer>, { status: 200 });
    if (url !== `${LINK_BASE}/links/open` || init.method !== 'POST' || body?.token !== TOKEN) return error(404, 'LINK_NOT_FOUND', 'No such link.');
    if (options.password) {
      if (body.proof === undefined) return error(401, 'LINK_PASSWORD_REQUIRED', 'This link needs its password.', { kdf: TEST_KDF });
      if (body.proof !== fixture.proof) return error(401, 'LINK_PASSWORD_WRONG', 'Wrong password.');
    }
    const response = fixture.respond(body.nodeId as string | undefined, body.cursor as string | undefined);
    return json(200, options.tamper ? options.tamper(structuredClone(response)) : response);
  };
  return { fetch, calls, opens: () => calls.filter((c) => c.url.endsWith('/links/open')) };
}

async function expectDecryptionFailed(promise: Promise<unknown>): Promise<void> {
  expect(await caught(promise)).toMatchObject({ name: 'DecryptionFailed', code: 'DECRYPTION_FAILED', message: 'Decryption failed.' });
}

describe('openLink (standalone, fake server)', () => {
  beforeEach(() => {
    vi.mocked(argon2idBytes).mockClear();
  });

  it('opens a document link anonymously: no bearer token, the name, the plaintext size and the bytes', async () => {
    // Prepare
    const fixture = await linkFixture('document');
    const server = linkServer(fixture);
    const progress: number[] = [];

    // Act
    const opened = await openLink(fixture.url, { fetch: server.fetch, onProgress: (p) => progress.push(p.bytes) });
    const data = await readAll(opened.stream!);

    // Assess
    expect(opened.link).toEqual({ linkId: LINK_ID, nodeId: fixture.root.id, nodeKind: 'document', access: 'download', expiresAt: EXPIRES });
    expect(opened.node).toEqual({ nodeId: fixture.root.id, kind: 'document', name: 'doc.txt', size: 3000 });
    expect(sameBytes(data, fixture.doc.data)).toBe(true);
    expect(progress.at(-1)).toBe(3000);
    expect(server.opens().map((c) => c.body)).toEqual([{ token: TOKEN }]);
    for (const call of server.calls) {
      expect(JSON.stringify(call.init.headers ?? {})).not.toMatch(/authorization/i);
      expect(`${call.url} ${call.init.body ?? ''}`).not.toContain(fixture.secret);
    }
  });

  it('asks for the password only when the server requires it, then sends the proof (never the key)', async () => {
    // Prepare
    const fixture = await linkFixture('document', 'pw-1');
    const server = linkServer(fixture, { password: true });
    const ask = vi.fn(async () => 'pw-1');

    // Act
    const opened = await openLink(fixture.url, { fetch: server.fetch, password: ask });
    await opened.stream!.cancel();

    // Assess
    expect(ask).toHaveBeenCalledTimes(1);
    expect(server.opens().map((c) => c.body)).toEqual([{ token: TOKEN }, { token: TOKEN, proof: fixture.proof }]);
    expect(opened.node.name).toBe('doc.txt');
    expect(argon2idBytes).toHaveBeenCalledTimes(1);
  });

  it('derives the password keys where deriveKeys says (a browser worker), with the server’s cost, and nowhere else', async () => {
    // Prepare
    const fixture = await linkFixture('document', 'pw-1');
    const server = linkServer(fixture, { password: true });
    const elsewhere = vi.fn(deriveLinkKeys);

    // Act
    const opened = await openLink(fixture.url, { fetch: server.fetch, password: 'pw-1', deriveKeys: elsewhere });
    await opened.stream!.cancel();

    // Assess
    expect(elsewhere).toHaveBeenCalledTimes(1);
    expect(elsewhere).toHaveBeenCalledWith(fixture.secret, { password: 'pw-1', kdf: TEST_KDF });
    expect(server.opens().map((c) => c.body)).toEqual([{ token: TOKEN }, { token: TOKEN, proof: fixture.proof }]);
    expect(argon2idBytes).toHaveBeenCalledTimes(1);
  });

  it('never calls the password function for a link without a password', async () => {
    // Prepare
    const fixture = await linkFixture('document');
    const ask = vi.fn(async () => 'unused');

    // Act
    const opened = await openLink(fixture.url, { fetch: linkServer(fixture).fetch, password: ask });
    await opened.stream!.cancel();

    // Assess
    expect(ask).not.toHaveBeenCalled();
    expect(argon2idBytes).not.toHaveBeenCalled();
  });

  it('surfaces LINK_PASSWORD_REQUIRED without a password option, and LINK_PASSWORD_WRONG for a wrong one', async () => {
    // Prepare
    const fixture = await linkFixture('document', 'pw-1');
    const server = linkServer(fixture, { password: true });

    // Act
    const required = await caught(openLink(fixture.url, { fetch: server.fetch }));
    const wrong = await caught(openLink(fixture.url, { fetch: server.fetch, password: 'pw-2' }));

    // Assess
    expect(required).toMatchObject({ status: 401, code: 'LINK_PASSWORD_REQUIRED', details: { kdf: TEST_KDF } });
    expect(wrong).toMatchObject({ status: 401, code: 'LINK_PASSWORD_WRONG' });
  });

  it.each<[string, unknown]>([
    ['above MAX_KDF', { ...TEST_KDF, memoryKiB: MAX_KDF.memoryKiB * 2 }],
    ['missing', undefined],
    ['another algorithm', { ...TEST_KDF, algorithm: 'pbkdf2' }],
  ])('refuses a KDF cost from the server that is %s, before any Argon2id and with no second request', async (_name, kdf) => {
    // Prepare
    const fixture = await linkFixture('document', 'pw-1');
    const calls: string[] = [];
    const fetch = async (url: string) => {
      calls.push(url);
      return error(401, 'LINK_PASSWORD_REQUIRED', 'Password.', kdf === undefined ? {} : { kdf });
    };

    // Act
    const failure = await caught(openLink(fixture.url, { fetch, password: 'pw-1' }));

    // Assess
    expect(failure).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(calls).toHaveLength(1);
    expect(argon2idBytes).not.toHaveBeenCalled();
  });

  it('lists a folder link, pages it and opens its children reusing the derived keys (one Argon2id)', async () => {
    // Prepare
    const fixture = await linkFixture('folder', 'pw-folder');
    const server = linkServer(fixture, { password: true });

    // Act
    const first = await openLink(fixture.url, { fetch: server.fetch, password: 'pw-folder' });
    const second = await first.page(first.cursor!);
    const doc = await first.open(fixture.doc.id);
    const sub = await second.open(fixture.sub.id);
    const data = await readAll(doc.stream!);

    // Assess
    expect(first.node).toEqual({ nodeId: fixture.root.id, kind: 'folder', name: 'Shared' });
    expect(first.children).toEqual([{ nodeId: fixture.doc.id, kind: 'document', name: 'doc.txt', size: 3000 }]);
    expect(first.cursor).toBe('p2');
    expect(second.children).toEqual([{ nodeId: fixture.sub.id, kind: 'folder', name: 'Sub' }]);
    expect(second.cursor).toBeUndefined();
    expect(doc.node).toEqual({ nodeId: fixture.doc.id, kind: 'document', name: 'doc.txt', size: 3000 });
    expect(sameBytes(data, fixture.doc.data)).toBe(true);
    expect(sub.node).toEqual({ nodeId: fixture.sub.id, kind: 'folder', name: 'Sub' });
    expect(server.opens().map((c) => c.body)).toEqual([
      { token: TOKEN },
      { token: TOKEN, proof: fixture.proof },
      { token: TOKEN, proof: fixture.proof, nodeId: fixture.root.id, cursor: 'p2' },
      { token: TOKEN, proof: fixture.proof, nodeId: fixture.doc.id },
      { token: TOKEN, proof: fixture.proof, nodeId: fixture.sub.id },
    ]);
    expect(argon2idBytes).toHaveBeenCalledTimes(1);
  });

  it('fails with DecryptionFailed for a changed secret', async () => {
    // Prepare
    const fixture = await linkFixture('document');
    const url = formatLinkUrl(LINK_BASE, TOKEN, newLinkSecret());

    // Act + Assess
    await expectDecryptionFailed(openLink(url, { fetch: linkServer(fixture).fetch }));
  });

  it.each<[string, (r: OpenLinkResponse) => OpenLinkResponse]>([
    ['a tampered link wrap', (r) => ({ ...r, keyPath: { ...r.keyPath, entry: { ...r.keyPath.entry, wrappedKey: flipLast(r.keyPath.entry.wrappedKey) } } })],
    ['a wrap moved to another generation', (r) => ({ ...r, keyPath: { ...r.keyPath, entry: { ...r.keyPath.entry, keyGeneration: 1 } } })],
    ['a user grant instead of the link wrap', (r) => ({ ...r, keyPath: { ...r.keyPath, entry: { ...r.keyPath.entry, principalId: 'u:mallory' } } })],
    ['another node than the link\'s', (r) => ({ ...r, node: { ...r.node, nodeId: nodeId() } })],
    ['an entry for another node', (r) => ({ ...r, keyPath: { ...r.keyPath, entry: { ...r.keyPath.entry, nodeId: nodeId() } } })],
    ['an entry id that breaks the label rules', (r) => ({ ...r, link: { ...r.link, nodeId: '' }, keyPath: { ...r.keyPath, entry: { ...r.keyPath.entry, nodeId: '' } } })],
    ['a swapped name', (r) => ({ ...r, node: { ...r.node, encryptedName: flipLast(r.node.encryptedName) } })],
    ['a wrong content version', (r) => ({ ...r, node: { ...r.node, version: 5 } })],
  ])('fails with DecryptionFailed for %s', async (_name, tamper) => {
    // Prepare
    const fixture = await linkFixture('document');
    const server = linkServer(fixture, { tamper });

    // Act + Assess
    await expectDecryptionFailed(openLink(fixture.url, { fetch: server.fetch }).then((o) => readAll(o.stream!)));
  });

  it('fails with DecryptionFailed for a tampered child wrap in a folder listing', async () => {
    // Prepare
    const fixture = await linkFixture('folder');
    const tamper = (r: OpenLinkResponse) => ({ ...r, children: r.children!.map((c) => ({ ...c, parentWrap: flipLast(c.parentWrap) })) });

    // Act + Assess
    await expectDecryptionFailed(openLink(fixture.url, { fetch: linkServer(fixture, { tamper }).fetch }));
  });

  it.each(['https://links.example/x/abc', `${LINK_BASE}/l/${TOKEN}`, `ftp://x/l/${TOKEN}#${TOKEN}`])(
    'refuses %s with INVALID_LINK_URL before any request',
    async (url) => {
      // Prepare
      const fetch = vi.fn();

      // Act
      const failure = await caught(openLink(url, { fetch }));

      // Assess
      expect(failure).toMatchObject({ code: 'INVALID_LINK_URL' });
      expect(fetch).not.toHaveBeenCalled();
    },
  );
});

function flipLast(text: string): string {
  const bytes = fromBase64Url(text);
  bytes[bytes.length - 1]! ^= 1;
  return toBase64Url(bytes);
}

describe('links on CofferClient (fake server)', () => {
  const server = new FakeCoffer();
  let alice: TestUser;
  let created: Call[] = [];
  let mintedToken = TOKEN;

  beforeAll(async () => {
    alice = await registered(server, 'alice', { linkKdf: TEST_KDF });
  });

  beforeEach(() => {
    server.clearInterceptors();
    server.calls.length = 0;
    created = [];
    mintedToken = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    vi.mocked(argon2idBytes).mockClear();
    server.intercept((call) => {
      const match = /^\/nodes\/([^/]+)\/links$/.exec(call.path);
      if (call.method === 'POST' && match) {
        created.push(call);
        const body = call.body as Record<string, any>;
        return json(201, {
          token: mintedToken,
          link: {
            linkId: LINK_ID,
            nodeId: decodeURIComponent(match[1]!),
            nodeKind: 'document',
            createdBy: 'alice',
            createdAt: EXPIRES,
            expiresAt: body.expiresAt ?? EXPIRES,
            access: body.access ?? 'download',
            audience: body.audience ?? { mode: 'anyone' },
            downloads: 0,
            accessCount: 0,
            passwordProtected: body.password !== undefined,
            state: 'active',
          },
        });
      }
      return undefined;
    });
  });

  it('creates a link: the secret only in the URL fragment, the node key wrapped under the link key', async () => {
    // Prepare
    const { documentId } = await alice.client.upload(bytes(500, 1), { name: 'a.txt' });
    const expiresAt = new Date(Date.now() + 3_600_000);

    // Act
    const { url, link } = await alice.client.createLink(documentId, {
      expiresAt,
      access: 'view',
      maxDownloads: 3,
      audience: { mode: 'users', users: ['bob'] },
    });

    // Assess
    const { base, token, secret } = parseLinkUrl(url);
    expect({ base, token }).toEqual({ base: API, token: mintedToken });
    expect(link).toMatchObject({ linkId: LINK_ID, nodeId: documentId, access: 'view', passwordProtected: false });
    const body = created[0]!.body as Record<string, any>;
    expect(Object.keys(body).sort()).toEqual(['access', 'audience', 'expiresAt', 'keyGeneration', 'maxDownloads', 'wrappedKey']);
    expect(body).toMatchObject({ keyGeneration: 1, access: 'view', maxDownloads: 3, expiresAt: expiresAt.toISOString(), audience: { mode: 'users', users: ['bob'] } });
    expect(body.wrappedKey).toMatch(/^[A-Za-z0-9_-]{82}$/);
    const { linkKey } = await deriveLinkKeys(secret);
    const { key } = await alice.client.nodeKey(documentId);
    expect(await unwrapLinkKey(linkKey, body.wrappedKey, { nodeId: documentId, keyGeneration: 1 })).toEqual(key);
    expect(JSON.stringify(server.calls)).not.toContain(secret);
  });

  it('creates a password link with the proof and the tuning cost (TEST_KDF), never the link key', async () => {
    // Prepare
    const { documentId } = await alice.client.upload(bytes(10, 2), { name: 'p.txt' });

    // Act
    const { url } = await alice.client.createLink(documentId, { password: 'open sesame, velvet door' });

    // Assess
    const { secret } = parseLinkUrl(url);
    const expected = await deriveLinkKeys(secret, { password: 'open sesame, velvet door', kdf: TEST_KDF });
    const body = created[0]!.body as Record<string, any>;
    expect(body.password).toEqual({ proof: expected.proof, kdf: { ...TEST_KDF } });
    expect(await unwrapLinkKey(expected.linkKey, body.wrappedKey, { nodeId: documentId, keyGeneration: 1 })).toHaveLength(32);
    expect(JSON.stringify(server.calls)).not.toContain(toBase64Url(expected.linkKey));
  });

  it('retries once when the node key generation changed under it', async () => {
    // Prepare
    const { documentId } = await alice.client.upload(bytes(10, 3), { name: 'r.txt' });
    let refusals = 1;
    server.clearInterceptors();
    server.intercept((call) => {
      if (call.method === 'POST' && call.path.endsWith('/links') && refusals-- > 0) {
        created.push(call);
        return error(409, 'KEY_GENERATION_MISMATCH', 'The key changed.');
      }
      return undefined;
    });
    server.intercept((call) =>
      call.method === 'POST' && call.path.endsWith('/links')
        ? (created.push(call), json(201, { token: mintedToken, link: { linkId: LINK_ID, nodeId: documentId } }))
        : undefined,
    );

    // Act
    const { url } = await alice.client.createLink(documentId);

    // Assess
    expect(created).toHaveLength(2);
    expect(parseLinkUrl(url).token).toBe(mintedToken);
  });

  it('refuses a weak password with WEAK_LINK_PASSWORD, saying why, before any request; accepts a strong one', async () => {
    // Act
    const weak = await caught(alice.client.createLink('AAAAAAAAAAAAAAAAAAAAAA', { password: 'hunter2' }));
    const common = await caught(alice.client.createLink('AAAAAAAAAAAAAAAAAAAAAA', { password: 'password123' }));
    // Assess
    expect(weak).toMatchObject({ code: 'WEAK_LINK_PASSWORD', message: expect.stringMatching(/^Link password refused\. Too short: use at least 10 characters\./) });
    expect(common).toMatchObject({ code: 'WEAK_LINK_PASSWORD', message: expect.stringMatching(/^Link password refused\. Too easy to guess \(about \d+ of 40 bits\)/) });
    expect((await checkLinkPasswordStrength('correct horse battery')).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an invalid date', { expiresAt: new Date('nope') }, /expiry must be a valid Date/],
    ['an unknown access', { access: 'edit' }, /access must be one of download, view/],
    ['zero downloads', { maxDownloads: 0 }, /maxDownloads must be an integer from 1 to 1000000/],
    ['an unknown audience', { audience: { mode: 'everyone' } }, /audience mode must be one of/],
    ['a users audience without users', { audience: { mode: 'users', users: [] } }, /non-empty list of user ids/],
    ['an empty password', { password: '' }, /password must be 1 to 1024 characters/],
  ])('refuses %s before any request', async (_name, options, message) => {
    // Act
    const failure = await caught(alice.client.createLink('AAAAAAAAAAAAAAAAAAAAAA', options));

    // Assess
    expect(failure).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
    expect(server.calls).toHaveLength(0);
  });

  it('lists with limit and cursor, and revokes by id', async () => {
    // Prepare
    const seen: Call[] = [];
    server.intercept((call) => {
      if (call.path.endsWith('/links') && call.method === 'GET') {
        seen.push(call);
        return json(200, { links: [], cursor: 'next' });
      }
      if (call.path.startsWith('/links/') && call.method === 'DELETE') {
        seen.push(call);
        return json(200, { linkId: LINK_ID, revoked: true });
      }
      return undefined;
    });

    // Act
    const page = await alice.client.listLinks('node-1', { limit: 10, cursor: 'c1' });
    await alice.client.revokeLink(LINK_ID);

    // Assess
    expect(page).toEqual({ links: [], cursor: 'next' });
    expect(seen.map((c) => `${c.method} ${c.url}`)).toEqual([`GET ${API}/nodes/node-1/links?limit=10&cursor=c1`, `DELETE ${API}/links/${LINK_ID}`]);
    expect(seen.every((c) => c.headers.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('opens a link on its own server with the bearer token', async () => {
    // Prepare
    const fixture = await linkFixture('document');
    const url = formatLinkUrl(API, TOKEN, fixture.secret);
    server.intercept((call) => (call.method === 'POST' && call.path === '/links/open' ? json(200, fixture.respond()) : undefined));
    server.intercept((call) => (call.url === S3_URL ? new Response(fixture.ciphertext as Uint8Array<ArrayBuffer>) : undefined));

    // Act
    const opened = await alice.client.openLink(url);
    const data = await readAll(opened.stream!);

    // Assess
    expect(sameBytes(data, fixture.doc.data)).toBe(true);
    const open = server.callsTo('POST', '/links/open')[0]!;
    expect(open.headers.authorization).toMatch(/^Bearer /);
    expect(open.body).toEqual({ token: TOKEN });
  });

  it('opens a link to another server anonymously: the bearer token stays home', async () => {
    // Prepare
    const fixture = await linkFixture('document');
    server.intercept((call) => (call.url === `${LINK_BASE}/links/open` ? json(200, fixture.respond()) : undefined));
    server.intercept((call) => (call.url === S3_URL ? new Response(fixture.ciphertext as Uint8Array<ArrayBuffer>) : undefined));

    // Act
    const opened = await alice.client.openLink(fixture.url);
    await opened.stream!.cancel();

    // Assess
    const open = server.calls.find((c) => c.url === `${LINK_BASE}/links/open`)!;
    expect(open.headers.authorization).toBeUndefined();
    expect(opened.node.name).toBe('doc.txt');
  });
});

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import type { StoredAuditEvent } from '../../shared/core/api/auditEvent.js';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, register, shareGrant, upload, type UploadedDocument } from '../helpers/actors.js';
import { api } from '../helpers/http.js';
import { newLink, openLink } from '../helpers/links.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * The audit queries, verify and checkpoints through the API (docs/audit.md, "Queries"), against
 * the local stack. The expected answer of every query is computed from the chains themselves
 * (readAuditEvents: every event of every shard), never from the indexes under test.
 */
let stack: LocalStack;
let url: string;
let alice: Actor, bob: Actor, auditor: Actor, guest: Actor;
let doc: UploadedDocument;
/** An instant after the fixture was written and before any query ran. */
let fixtureEnd: string;
const text = (s: string) => new TextEncoder().encode(s);

const as = (who: Actor, method: string, path: string, body?: unknown) => api(url, method, path, { token: who.accessToken, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  stack = await startLocalStack({ settings: { auditors: ['auditor'] } });
  url = stack.url;
  [alice, bob, auditor] = (await Promise.all(['alice', 'bob', 'auditor'].map((u) => register(url, u)))) as [Actor, Actor, Actor];
  const invitation = await as(alice, 'POST', '/invitations', {});
  guest = await register(url, 'guest', undefined, { invitationCode: invitation.body.invitationCode });
  doc = await upload(url, alice, text('the audited document'), 'doc.txt');
  const grants = [await shareGrant(bob, doc.documentId, doc.dek, 'viewer'), await shareGrant(guest, doc.documentId, doc.dek, 'viewer')];
  expect((await as(alice, 'POST', `/nodes/${doc.documentId}/share`, { keyGeneration: 1, grants })).status).toBe(200);
  // Accesses, a refused one, permission changes, a link and its opens: a few of each.
  for (let i = 0; i < 3; i++) expect((await as(bob, 'GET', `/documents/${doc.documentId}`)).status).toBe(200);
  expect((await as(alice, 'GET', `/documents/${doc.documentId}`)).status).toBe(200);
  expect((await as(guest, 'GET', `/documents/${doc.documentId}`)).status).toBe(200);
  expect((await as(bob, 'DELETE', `/documents/${doc.documentId}`)).status).toBe(403);
  expect((await as(alice, 'PUT', `/nodes/${doc.documentId}/grants/u:bob`, { role: 'commenter' })).status).toBe(200);
  expect((await as(alice, 'PUT', `/nodes/${doc.documentId}/grants/u:bob`, { role: 'editor' })).status).toBe(200);
  const link = await newLink(url, alice, doc.documentId);
  expect((await openLink(url, { token: link.token })).status).toBe(200);
  expect((await openLink(url, { token: 'A'.repeat(43) })).status).toBe(404);
  await new Promise((r) => setTimeout(r, 5));
  fixtureEnd = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
});
afterAll(() => stack?.stop());

/** Every event in the chains written before the fixture ended. */
async function chainEvents(): Promise<StoredAuditEvent[]> {
  return (await readAuditEvents(stack.deps.db)).filter((e) => e.at < fixtureEnd);
}

const byTime = (a: StoredAuditEvent, b: StoredAuditEvent) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const ids = (events: { id: string }[]) => events.map((e) => e.id);

/** Every page of a query, `limit` at a time, with the ids of each page. */
async function allPages(who: Actor, path: string, params: Record<string, string>, limit: number): Promise<{ pages: string[][]; events: any[] }> {
  const pages: string[][] = [];
  const events: any[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ ...params, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await as(who, 'GET', `${path}?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(ids(res.body.events));
    events.push(...res.body.events);
    cursor = res.body.cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return { pages, events };
}

describe('GET /audit/events?resource=', () => {
  it('answers who accessed the document (category access): exactly those events, oldest first, paginated without loss or duplication', async () => {
    const expected = (await chainEvents()).filter((e) => e.resourceId === doc.documentId && e.category === 'access').sort(byTime);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    // Members, the guest, and the link that was opened.
    expect(new Set(expected.map((e) => e.actorKind))).toEqual(new Set(['user', 'guest', 'link']));
    const { pages, events } = await allPages(auditor, '/audit/events', { resource: doc.documentId, category: 'access', until: fixtureEnd }, 2);
    expect(ids(events)).toEqual(ids(expected));
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    expect(new Set(ids(events)).size).toBe(events.length);
    // Every field of the stored event but its table and index keys, chain fields included.
    const stored = expected[0] as unknown as Record<string, unknown>;
    const { pk: _pk, sk: _sk, type: _type, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...visible } = stored;
    expect(events[0]).toEqual(visible);
    expect(events[0]).toMatchObject({ shard: expect.any(String), seq: expect.any(Number), prevHash: expect.stringMatching(/^[0-9a-f]{64}$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const e of events) for (const name of ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'type']) expect(e).not.toHaveProperty(name);
  });

  it('answers the permission history of the node (category permission), with its failures', async () => {
    const expected = (await chainEvents()).filter((e) => e.resourceId === doc.documentId && e.category === 'permission').sort(byTime);
    expect(expected.map((e) => e.operation)).toEqual(['shareNode', 'changeGrant', 'changeGrant']);
    const { events } = await allPages(alice, '/audit/events', { resource: doc.documentId, category: 'permission' }, 1);
    expect(ids(events)).toEqual(ids(expected));
  });

  it('without a category: every event of the resource, by category then time, the bounds applied to each', async () => {
    const all = (await chainEvents()).filter((e) => e.resourceId === doc.documentId);
    const expected = [...all].sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : byTime(a, b)));
    const { events } = await allPages(auditor, '/audit/events', { resource: doc.documentId, until: fixtureEnd }, 3);
    expect(ids(events)).toEqual(ids(expected));
    const middle = [...all].sort(byTime)[Math.floor(all.length / 2)]!.at;
    const since = await allPages(auditor, '/audit/events', { resource: doc.documentId, since: middle, until: fixtureEnd }, 3);
    expect(ids(since.events)).toEqual(ids(expected.filter((e) => e.at >= middle)));
  });
});

describe('GET /audit/events?actor=', () => {
  it('answers everything a user did: their events, including the refused ones, oldest first, across pages', async () => {
    const expected = (await chainEvents()).filter((e) => e.actorId === 'bob').sort(byTime);
    expect(expected.some((e) => e.outcome === 'failure' && e.errorCode === 'NOT_OWNER')).toBe(true);
    const { events } = await allPages(auditor, '/audit/events', { actor: 'bob', until: fixtureEnd }, 2);
    expect(ids(events)).toEqual(ids(expected));
  });

  it('applies since (inclusive) and until (exclusive) on the event time', async () => {
    const all = (await chainEvents()).filter((e) => e.actorId === 'bob').sort(byTime);
    const since = all[1]!.at;
    const until = all[all.length - 1]!.at;
    const { events } = await allPages(auditor, '/audit/events', { actor: 'bob', since, until }, 10);
    expect(ids(events)).toEqual(ids(all.filter((e) => e.at >= since && e.at < until)));
    expect(events.length).toBeGreaterThan(0);
    const offset = await allPages(auditor, '/audit/events', { actor: 'bob', since: since.replace('Z', '+00:00'), until }, 10);
    expect(ids(offset.events)).toEqual(ids(events));
  });
});

describe('GET /audit/external', () => {
  it('reports guests’ requests and link opens (successful and refused), nothing else', async () => {
    const expected = (await chainEvents()).filter((e) => e.actorKind === 'guest' || e.actorKind === 'link' || e.operation === 'link.open' || e.operation === 'link.lock').sort(byTime);
    expect(expected.some((e) => e.actorId === 'guest')).toBe(true);
    expect(expected.filter((e) => e.operation === 'link.open').map((e) => e.outcome).sort()).toEqual(['failure', 'success']);
    const { events } = await allPages(auditor, '/audit/external', { until: fixtureEnd }, 2);
    expect(ids(events)).toEqual(ids(expected));
  });
});

describe('who may query (BOLA)', () => {
  const d = () => doc.documentId;
  const cells: [string, () => Actor, string, number, string?][] = [
    ['auditor: a resource', () => auditor, `/audit/events?resource=${'D'}`, 200],
    ['auditor: an actor', () => auditor, '/audit/events?actor=alice', 200],
    ['auditor: external', () => auditor, '/audit/external', 200],
    ['owner: their document', () => alice, `/audit/events?resource=${'D'}&category=access`, 200],
    ['owner: themselves', () => alice, '/audit/events?actor=alice', 200],
    ['owner: another user', () => alice, '/audit/events?actor=bob', 403, 'NOT_AN_AUDITOR'],
    ['owner: external', () => alice, '/audit/external', 403, 'NOT_AN_AUDITOR'],
    ['owner: an unknown node', () => alice, '/audit/events?resource=AAAAAAAAAAAAAAAAAAAAAA', 403, 'NOT_AN_AUDITOR'],
    ['grantee (editor, not owner): the document', () => bob, `/audit/events?resource=${'D'}`, 403, 'NOT_AN_AUDITOR'],
    ['other user: themselves', () => bob, '/audit/events?actor=bob', 200],
    ['other user: the owner', () => bob, '/audit/events?actor=alice', 403, 'NOT_AN_AUDITOR'],
    ['other user: external', () => bob, '/audit/external', 403, 'NOT_AN_AUDITOR'],
    ['guest: the document', () => guest, `/audit/events?resource=${'D'}`, 403, 'GUEST_FORBIDDEN'],
    ['guest: themselves', () => guest, '/audit/events?actor=guest', 403, 'GUEST_FORBIDDEN'],
    ['guest: external', () => guest, '/audit/external', 403, 'GUEST_FORBIDDEN'],
  ];
  for (const [label, who, path, status, code] of cells) {
    it(`${label}: ${status}${code ? ` ${code}` : ''}`, async () => {
      const res = await as(who(), 'GET', path.replace('=D', `=${d()}`));
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      if (code) expect(res.body.error.code).toBe(code);
      else expect(Array.isArray(res.body.events)).toBe(true);
    });
  }

  for (const [who, name] of [[() => alice, 'owner'], [() => bob, 'other user'], [() => guest, 'guest']] as const) {
    it(`${name}: verify and checkpoints are refused`, async () => {
      for (const path of ['/audit/verify', '/audit/checkpoints']) {
        const res = await as(who(), 'POST', path, {});
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe(name === 'guest' ? 'GUEST_FORBIDDEN' : 'NOT_AN_AUDITOR');
      }
    });
  }

  it('refuses without a token', async () => {
    expect((await api(url, 'GET', '/audit/events?actor=alice')).status).toBe(401);
  });

  it('refuses a cursor from another query (it cannot widen what the guard allowed)', async () => {
    const first = await as(auditor, 'GET', '/audit/events?actor=alice&limit=1');
    expect(first.body.cursor).toBeDefined();
    const reused = await as(bob, 'GET', `/audit/events?actor=bob&cursor=${first.body.cursor}`);
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('VALIDATION_FAILED');
    const forged = Buffer.from(JSON.stringify({ pk: 'USER#alice', sk: 'PROFILE', gsi2pk: 'AUDITACTOR#bob', gsi2sk: '0' })).toString('base64url');
    expect((await as(bob, 'GET', `/audit/events?actor=bob&cursor=${forged}`)).status).toBe(400);
  });

  it('audits the queries themselves (category admin), naming what was queried', async () => {
    await as(auditor, 'GET', `/audit/events?resource=${doc.documentId}&category=access`);
    const events = (await readAuditEvents(stack.deps.db)).filter((e) => e.actorId === 'auditor' && e.operation === 'queryEvents');
    expect(events.at(-1)).toMatchObject({ category: 'admin', outcome: 'success', targets: { resource: doc.documentId }, details: { query: 'resource', category: 'access' } });
    const refused = (await readAuditEvents(stack.deps.db)).filter((e) => e.actorId === 'bob' && e.errorCode === 'NOT_AN_AUDITOR');
    expect(refused.length).toBeGreaterThan(0);
  });
});

describe('input', () => {
  const bad: [string, string][] = [
    ['neither resource nor actor', '/audit/events'],
    ['both resource and actor', '/audit/events?resource=x1&actor=alice'],
    ['a category without a resource', '/audit/events?actor=alice&category=access'],
    ['an unknown category', '/audit/events?resource=x1&category=secrets'],
    ['a time that is not ISO', '/audit/events?actor=alice&since=yesterday'],
    ['since after until', '/audit/events?actor=alice&since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z'],
    ['a limit above 500', '/audit/events?actor=alice&limit=501'],
    ['an unknown parameter', '/audit/external?resource=x1'],
    ['a cursor that is not one', '/audit/external?cursor=bm90LWpzb24'],
  ];
  for (const [label, path] of bad) {
    it(`refuses ${label}: 400 VALIDATION_FAILED`, async () => {
      const res = await as(auditor, 'GET', path);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  }
});

describe('POST /audit/verify and /audit/checkpoints', () => {
  it('verifies, signs checkpoints on demand, and then reports the chains checkpointed', async () => {
    const before = await as(auditor, 'POST', '/audit/verify', {});
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ ok: true, findings: [] });
    expect(before.body.shards).toHaveLength(16);
    const signed = await as(auditor, 'POST', '/audit/checkpoints', {});
    expect(signed.status).toBe(200);
    expect(signed.body.refused).toEqual([]);
    expect(signed.body.signed.length).toBeGreaterThan(0);
    const after = await as(auditor, 'POST', '/audit/verify', {});
    expect(after.body.ok).toBe(true);
    for (const { shard, seq } of signed.body.signed) {
      const report = after.body.shards.find((s: { shard: string }) => s.shard === shard);
      expect(report.lastCheckpointSeq).toBe(seq);
    }
  });

  it('reports an event edited in the table, with its position, and refuses to checkpoint that chain', async () => {
    const [victim] = (await chainEvents()).filter((e) => e.actorId === 'bob');
    await stack.deps.db.doc.send(
      new UpdateCommand({ TableName: stack.table, Key: keys.auditEvent(victim!.shard, victim!.seq), UpdateExpression: 'SET outcome = :o', ExpressionAttributeValues: { ':o': 'failure' } }),
    );
    const res = await as(auditor, 'POST', '/audit/verify', {});
    expect(res.body.ok).toBe(false);
    expect(res.body.findings).toContainEqual({ kind: 'modified', shard: victim!.shard, seq: victim!.seq, detail: 'content' });
    const signed = await as(auditor, 'POST', '/audit/checkpoints', {});
    expect(signed.body.refused.map((r: { shard: string }) => r.shard)).toContain(victim!.shard);
  });
});

describe('ownership moves with a transfer', () => {
  it("the new owner may query the node's whole history at once, the old owner no longer", async () => {
    expect((await as(alice, 'POST', `/nodes/${doc.documentId}/transfer`, { newOwnerId: 'bob' })).status).toBe(200);
    const path = `/audit/events?resource=${doc.documentId}&category=permission`;
    const bobs = await as(bob, 'GET', path);
    expect(bobs.status).toBe(200);
    expect(bobs.body.events.map((e: { operation: string }) => e.operation)).toEqual(['shareNode', 'changeGrant', 'changeGrant', 'transferOwnership']);
    const alices = await as(alice, 'GET', path);
    expect(alices.status).toBe(403);
    expect(alices.body.error.code).toBe('NOT_AN_AUDITOR');
  });
});

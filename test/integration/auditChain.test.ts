import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../shared/server/audit/eventHash.js';
import { signCheckpoints } from '../../shared/server/audit/signCheckpoints.js';
import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { withAudit } from '../../shared/server/audit/withAudit.js';
import { LocalKeyringKeyService } from '../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { recordAudit } from '../../shared/server/data/audit.js';
import type { AuditEvent } from '../../shared/core/api/auditEvent.js';
import { auditShards, readAuditEvents } from '../../shared/server/data/auditChain.js';
import { keys } from '../../shared/server/data/keys.js';
import { checkpointHandler } from '../../functions/audit/handler.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { sampleAuditEvent } from '../helpers/auditEvents.js';

/**
 * The audit chains on the real local stack (docs/audit.md): every single-item tampering done
 * directly in DynamoDB is reported with its exact position, forged checkpoints are rejected, and
 * 50 concurrent writers lose no event.
 */
let stack: LocalStack;
type Item = Record<string, any>;

const event = sampleAuditEvent;

const db = () => stack.deps.db;
const verify = () => verifyAuditLog(stack.deps);
const get = async (key: { pk: string; sk: string }): Promise<Item> =>
  (await db().doc.send(new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }))).Item!;
const put = (item: Item) => db().doc.send(new PutCommand({ TableName: stack.table, Item: item }));
const del = (key: { pk: string; sk: string }) => db().doc.send(new DeleteCommand({ TableName: stack.table, Key: key }));

/** A chain with at least `min` events, and its length. */
async function busyShard(min: number): Promise<{ shard: string; length: number }> {
  const events = await readAuditEvents(db());
  for (const shard of auditShards) {
    const length = events.filter((e) => e.shard === shard).length;
    if (length >= min) return { shard, length };
  }
  throw new Error(`no chain has ${min} events`);
}

/** Tamper, check what verify reports, restore, and check the log verifies again. */
async function tampered(change: () => Promise<unknown>, restore: () => Promise<unknown>) {
  await change();
  const report = await verify();
  await restore();
  expect((await verify()).findings).toEqual([]);
  return report.findings;
}

beforeAll(async () => {
  stack = await startLocalStack();
  for (let batch = 0; batch < 8; batch++) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db(), event(batch * 20 + i))));
  }
}, 45_000);
afterAll(() => stack?.stop());

describe('the writer', () => {
  it('chains every event: 160 written, 160 stored, every chain verifies', async () => {
    const events = await readAuditEvents(db());
    expect(events).toHaveLength(160);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(160);
    const report = await verify();
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.shards.reduce((n, s) => n + s.events, 0)).toBe(160);
    for (const s of report.shards) expect(s.headSeq).toBe(s.events);
  });

  it("writes nothing when the caller's guard fails: no change, no event", async () => {
    const before = (await readAuditEvents(db())).length;
    const marker = { pk: 'TEST#atomic', sk: 'TEST' };
    const attempt = withAudit(db(), event(9999), (audit) => [
      { ConditionCheck: { TableName: stack.table, Key: marker, ConditionExpression: 'attribute_exists(pk)' } },
      { Put: { TableName: stack.table, Item: { pk: 'TEST#atomic-change', sk: 'TEST' } } },
      ...audit,
    ]);
    await expect(attempt).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(await get({ pk: 'TEST#atomic-change', sk: 'TEST' })).toBeUndefined();
    expect(await readAuditEvents(db())).toHaveLength(before);
    expect((await verify()).findings).toEqual([]);
  });

  it('under 50 concurrent writers loses no event, and every chain still verifies', async () => {
    const before = (await readAuditEvents(db())).length;
    const [results, during] = await Promise.all([
      Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        withAudit(db(), event(10_000 + i, { operation: 'test.concurrent' }), (audit) => [
          { Put: { TableName: stack.table, Item: { pk: `TEST#concurrent-${i}`, sk: 'TEST' }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...audit,
        ]),
      ),
      ),
      // A verify racing the writers sees a consistent log too.
      new Promise((resolve) => setTimeout(resolve, 20)).then(verify),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(during.findings).toEqual([]);
    const events = await readAuditEvents(db());
    expect(events).toHaveLength(before + 50);
    const concurrent = events.filter((e) => e.operation === 'test.concurrent');
    expect(new Set(concurrent.map((e) => e.requestId)).size).toBe(50);
    for (let i = 0; i < 50; i++) expect(await get({ pk: `TEST#concurrent-${i}`, sk: 'TEST' })).toBeDefined();
    expect((await verify()).findings).toEqual([]);
  }, 25_000);
});

describe('verify finds a single tampered event, at its position', () => {
  it('a changed attribute: modified (content) at its seq', async () => {
    const { shard } = await busyShard(5);
    const key = keys.auditEvent(shard, 3);
    const original = await get(key);
    const findings = await tampered(() => put({ ...original, status: 403 }), () => put(original));
    expect(findings).toEqual([{ kind: 'modified', shard, seq: 3, detail: 'content' }]);
  });

  it('an added attribute: modified (content)', async () => {
    const { shard } = await busyShard(5);
    const original = await get(keys.auditEvent(shard, 2));
    expect(await tampered(() => put({ ...original, note: 'x' }), () => put(original))).toEqual([{ kind: 'modified', shard, seq: 2, detail: 'content' }]);
  });

  it('a change with its hash recomputed: modified (rehashed) at its seq, found through the next link', async () => {
    const { shard } = await busyShard(5);
    const original = await get(keys.auditEvent(shard, 3));
    const forged: Item = { ...original, actorId: 'someone-else' };
    forged.hash = eventHash(forged);
    expect(await tampered(() => put(forged), () => put(original))).toEqual([{ kind: 'modified', shard, seq: 3, detail: 'rehashed' }]);
  });

  it('the first event re-linked and re-hashed: modified (rehashed) at seq 1', async () => {
    const { shard } = await busyShard(5);
    const original = await get(keys.auditEvent(shard, 1));
    const forged: Item = { ...original, prevHash: 'f'.repeat(64) };
    forged.hash = eventHash(forged);
    const findings = await tampered(() => put(forged), () => put(original));
    expect(findings).toContainEqual({ kind: 'modified', shard, seq: 1, detail: 'rehashed' });
  });

  it.each([
    ['the first', 1],
    ['a middle', 3],
  ])('%s event deleted: removed at its seq', async (_label, seq) => {
    const { shard } = await busyShard(5);
    const key = keys.auditEvent(shard, seq);
    const original = await get(key);
    expect(await tampered(() => del(key), () => put(original))).toEqual([{ kind: 'removed', shard, from: seq, to: seq }]);
  });

  it('the last event deleted: removed at its seq (the head still names it)', async () => {
    const { shard, length } = await busyShard(5);
    const key = keys.auditEvent(shard, length);
    const original = await get(key);
    expect(await tampered(() => del(key), () => put(original))).toEqual([{ kind: 'removed', shard, from: length, to: length }]);
  });

  it('an event put after the head: inserted, at its key', async () => {
    const { shard, length } = await busyShard(5);
    const last = await get(keys.auditEvent(shard, length));
    const forged: Item = { ...last, ...keys.auditEvent(shard, length + 1), seq: length + 1, prevHash: last.hash, actorId: 'ghost' };
    forged.hash = eventHash(forged);
    const findings = await tampered(() => put(forged), () => del({ pk: forged.pk, sk: forged.sk }));
    expect(findings).toEqual([{ kind: 'inserted', shard, sk: keys.auditEvent(shard, length + 1).sk, detail: 'beyond the head' }]);
  });

  it('an event put between two others under a non-canonical key: inserted, at its key', async () => {
    const { shard } = await busyShard(5);
    const copy: Item = { ...(await get(keys.auditEvent(shard, 2))), sk: 'SEQ#0000000000025' };
    expect(await tampered(() => put(copy), () => del({ pk: copy.pk, sk: copy.sk }))).toEqual([
      { kind: 'inserted', shard, sk: 'SEQ#0000000000025', detail: 'not a chain key' },
    ]);
  });

  it('two events swapped: reordered at both positions', async () => {
    const { shard } = await busyShard(5);
    const [a, b] = [await get(keys.auditEvent(shard, 2)), await get(keys.auditEvent(shard, 3))];
    const swap = () => Promise.all([put({ ...b, sk: a.sk }), put({ ...a, sk: b.sk })]);
    expect(await tampered(swap, () => Promise.all([put(a), put(b)]))).toEqual([
      { kind: 'reordered', shard, seq: 2, holds: 3 },
      { kind: 'reordered', shard, seq: 3, holds: 2 },
    ]);
  });

  it('an event moved from another chain: inserted (another shard)', async () => {
    const { shard, length } = await busyShard(5);
    const other = auditShards.find((s) => s !== shard)!;
    const original = await get(keys.auditEvent(shard, 2));
    const foreign = await get(keys.auditEvent(other, 1));
    const findings = await tampered(() => put({ ...foreign, ...keys.auditEvent(shard, 2) }), () => put(original));
    expect(findings).toEqual([{ kind: 'inserted', shard, sk: keys.auditEvent(shard, 2).sk, detail: 'another shard' }]);
    expect(length).toBeGreaterThanOrEqual(5);
  });

  it('the head moved back over the last event: inserted beyond the head', async () => {
    const { shard, length } = await busyShard(5);
    const head = await get(keys.auditHead(shard));
    const findings = await tampered(() => put({ ...head, seq: length - 1 }), () => put(head));
    expect(findings).toEqual([{ kind: 'inserted', shard, sk: keys.auditEvent(shard, length).sk, detail: 'beyond the head' }]);
  });
});

describe('signed checkpoints', () => {
  it('signs each non-empty chain once, and the signed log verifies', async () => {
    const first = await signCheckpoints(stack.deps);
    const report = await verify();
    const nonEmpty = report.shards.filter((s) => s.headSeq > 0);
    expect(first.refused).toEqual([]);
    expect(first.signed.map((s) => s.shard).sort()).toEqual(nonEmpty.map((s) => s.shard).sort());
    expect((await signCheckpoints(stack.deps)).signed).toEqual([]); // nothing new: nothing signed
    expect(report.findings).toEqual([]);
    for (const s of nonEmpty) expect(s).toMatchObject({ checkpoints: 1, lastCheckpointSeq: s.headSeq });
  });

  it.each([
    ['its hash changed', (cp: Item) => ({ ...cp, hash: '0'.repeat(64) })],
    ['its seq changed', (cp: Item) => ({ ...cp, seq: cp.seq - 1 })],
    ['its time changed', (cp: Item) => ({ ...cp, at: '2030-01-01T00:00:00.000Z' })],
    ['its signature changed', (cp: Item) => ({ ...cp, signature: `${cp.signature[0] === 'A' ? 'B' : 'A'}${cp.signature.slice(1)}` })],
    ['its signature cut', (cp: Item) => ({ ...cp, signature: cp.signature.slice(0, 40) })],
  ])('rejects a checkpoint with %s as forged', async (_label, forge) => {
    const { shard, length } = await busyShard(5);
    const key = keys.auditCheckpoint(shard, length);
    const original = await get(key);
    const findings = await tampered(() => put(forge(original)), () => put(original));
    expect(findings).toEqual([{ kind: 'forgedCheckpoint', shard, sk: key.sk, detail: 'signature' }]);
  });

  it('rejects a checkpoint signed with another key, and one signed with the token key', async () => {
    const { shard, length } = await busyShard(5);
    const key = keys.auditCheckpoint(shard, length);
    const original = await get(key);
    const claim = new TextEncoder().encode(JSON.stringify({ hash: original.hash, shard, seq: length, at: original.at }));
    for (const signer of [(m: Uint8Array) => LocalKeyringKeyService.inMemory().signAuditCheckpoint(m), (m: Uint8Array) => stack.deps.keys.sign(m)]) {
      const signature = Buffer.from(await signer(claim)).toString('base64url');
      const findings = await tampered(() => put({ ...original, signature }), () => put(original));
      expect(findings).toEqual([{ kind: 'forgedCheckpoint', shard, sk: key.sk, detail: 'signature' }]);
    }
  });

  it('rejects a genuine checkpoint copied under another seq', async () => {
    const { shard, length } = await busyShard(5);
    const original = await get(keys.auditCheckpoint(shard, length));
    const moved = { ...original, ...keys.auditCheckpoint(shard, 2) };
    const findings = await tampered(() => put(moved), () => del({ pk: moved.pk, sk: moved.sk }));
    expect(findings).toEqual([{ kind: 'forgedCheckpoint', shard, sk: moved.sk, detail: 'position' }]);
  });

  it('catches a consistent rewrite (every later hash and the head recomputed) through the checkpoint', async () => {
    const { shard, length } = await busyShard(5);
    const originals = await Promise.all(Array.from({ length }, (_, i) => get(keys.auditEvent(shard, i + 1))));
    const head = await get(keys.auditHead(shard));
    const rewrite = async () => {
      let prevHash = originals[1]!.hash;
      for (let i = 2; i < length; i++) {
        const forged: Item = { ...originals[i]!, prevHash, ...(i === 2 ? { status: 500 } : {}) };
        forged.hash = eventHash(forged);
        prevHash = forged.hash;
        await put(forged);
      }
      await put({ ...head, hash: prevHash });
    };
    const restore = async () => {
      for (const item of originals) await put(item);
      await put(head);
    };
    expect(await tampered(rewrite, restore)).toEqual([{ kind: 'checkpointMismatch', shard, seq: length, from: 1, to: length }]);
  });

  it('reports events cut from the tail, head rewound, as removed below the checkpoint', async () => {
    const { shard, length } = await busyShard(5);
    const last = await get(keys.auditEvent(shard, length));
    const head = await get(keys.auditHead(shard));
    const cut = async () => {
      await del(keys.auditEvent(shard, length));
      await put({ ...head, seq: length - 1, hash: (await get(keys.auditEvent(shard, length - 1))).hash });
    };
    const restore = async () => {
      await put(last);
      await put(head);
    };
    expect(await tampered(cut, restore)).toEqual([{ kind: 'removed', shard, from: length, to: length }]);
  });

  it('refuses to sign a chain that does not verify', async () => {
    await recordAudit(db(), event(20_000)); // something new to sign
    const grown = (await verify()).shards.find((s) => s.headSeq > s.lastCheckpointSeq)!;
    const key = keys.auditEvent(grown.shard, 1);
    const original = await get(key);
    await put({ ...original, status: 401 });
    try {
      const run = await signCheckpoints(stack.deps);
      expect(run.refused).toEqual([{ shard: grown.shard, findings: [{ kind: 'modified', shard: grown.shard, seq: 1, detail: 'content' }] }]);
      expect(run.signed.map((s) => s.shard)).not.toContain(grown.shard);
    } finally {
      await put(original);
    }
    expect((await signCheckpoints(stack.deps)).signed).toEqual([{ shard: grown.shard, seq: grown.headSeq }]);
    expect((await verify()).findings).toEqual([]);
  });

  it("the audit job's handler signs grown chains, and logs a chain it refuses by position only", async () => {
    const logged: { level: string; message: string; extra: unknown }[] = [];
    const logger = {
      info: (message: string, extra: unknown) => logged.push({ level: 'info', message, extra }),
      error: (message: string, extra: unknown) => logged.push({ level: 'error', message, extra }),
    };
    const handler = checkpointHandler(() => ({ ...stack.deps, logger }) as never);
    const stored = await withAudit(db(), event(30_000, { actorId: 'secret-looking-actor' }), (audit) => [...audit]);
    const key = keys.auditEvent(stored.shard, stored.seq);
    const original = await get(key);
    await put({ ...original, status: 418 });
    try {
      const run = await handler();
      expect(run.refused).toEqual([{ shard: stored.shard, findings: [{ kind: 'modified', shard: stored.shard, seq: stored.seq, detail: 'content' }] }]);
      expect(logged.map((l) => l.level)).toEqual(['info', 'error']);
      expect(JSON.stringify(logged)).not.toContain('secret-looking-actor');
    } finally {
      await put(original);
    }
    expect((await handler()).signed).toEqual([{ shard: stored.shard, seq: stored.seq }]);
  });
});

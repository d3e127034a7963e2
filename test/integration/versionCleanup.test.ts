import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { s3Client } from '../../shared/server/config/clients.js';
import { encryptBytes, encryptMetadata, generateDataKey, toBase64Url, wrapKey, wrapKeyUnderKey } from '../../shared/core/crypto/index.js';
import { objectKey } from '../../shared/server/data/keys.js';
import { ServiceUnavailable } from '../../shared/core/errors/index.js';
import { type CleanupReport, emptyReport, RESUME_AFTER_SECONDS, runCleanup } from '../../shared/server/services/cleanup/index.js';
import { type Actor, register, shareGrant, upload, type UploadedDocument } from '../helpers/actors.js';
import { chainLabel } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes } from '../helpers/pseudoRandomBytes.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';

/**
 * The cleanup job's version entries (docs/versions.md): abandoned pending versions and prunes
 * that stopped half-way, found on the expiry index, each claimed with its audit event so that
 * two runs at once do each thing once. The stack runs on a clock the tests move.
 */
const MiB = 1024 * 1024;
const DAY_MS = 24 * 3600_000;
const text = (s: string) => new TextEncoder().encode(s);

let stack: LocalStack;
let offsetMs = 0;
let alice: Actor, charlie: Actor;

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => Date.now() + offsetMs, settings: { multipartThreshold: MiB, partSize: MiB } });
  [alice, charlie] = (await Promise.all(['alice', 'charlie'].map((u) => register(stack.url, u)))) as [Actor, Actor];
});
afterAll(() => stack?.stop());

/** Tokens live 15 minutes: log in again at the stack's current time. */
async function login(actor: Actor): Promise<void> {
  const res = await api(stack.url, 'POST', '/auth/token', { body: { userId: actor.userId, authKey: actor.authKey } });
  expect(res.status).toBe(200);
  actor.accessToken = res.body.accessToken;
}

async function sharedDocument(): Promise<UploadedDocument> {
  const doc = await upload(stack.url, alice, text('v1'), 'doc.txt');
  const shared = await api(stack.url, 'POST', `/nodes/${doc.documentId}/share`, {
    token: alice.accessToken,
    body: { keyGeneration: 1, grants: [await shareGrant(charlie, doc.documentId, doc.dek, 'editor')] },
  });
  expect(shared.status).toBe(200);
  return doc;
}

/** Reserve a version of `plaintext` and PUT `parts` of it (all of a single upload when absent). */
async function reserveAndPut(by: Actor, doc: UploadedDocument, plaintext: Uint8Array, putParts?: number[], generation = 1) {
  const size = (await encryptBytes(doc.dek, { documentId: doc.documentId, version: 1 }, plaintext)).length;
  const reserved = await api(stack.url, 'POST', `/documents/${doc.documentId}/versions`, { token: by.accessToken, body: { size, keyGeneration: generation } });
  expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);
  const version = reserved.body.version as number;
  const ciphertext = await encryptBytes(doc.dek, { documentId: doc.documentId, version }, plaintext);
  const { upload: instructions } = reserved.body;
  if (instructions.kind === 'single') {
    expect((await fetch(instructions.url, { method: 'PUT', body: Buffer.from(ciphertext) })).ok).toBe(true);
  } else {
    for (const p of instructions.parts.filter((x: { partNumber: number }) => putParts?.includes(x.partNumber))) {
      const start = (p.partNumber - 1) * instructions.partSize;
      const res = await fetch(p.url, { method: 'PUT', body: Buffer.from(ciphertext.subarray(start, start + instructions.partSize)) });
      expect(res.ok).toBe(true);
    }
  }
  return { version, uploadId: instructions.uploadId as string | undefined };
}

async function versionItems(documentId: string) {
  const out = await stack.deps.db.doc.send(
    new QueryCommand({
      TableName: stack.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': `NODE#${documentId}`, ':v': 'VERSION#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => ({ version: i.version as number, state: (i.state as string | undefined) ?? 'active' }));
}

async function objectExists(key: string): Promise<boolean> {
  try {
    await s3Client(stack.endpoints).send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

async function systemEvents(operation: string): Promise<Record<string, unknown>[]> {
  return ((await readAuditEvents(stack.deps.db)) as unknown as Record<string, unknown>[]).filter((e) => e.operation === operation);
}

const total = (reports: CleanupReport[]) =>
  reports.reduce((a, r) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + r[k as keyof CleanupReport]])) as unknown as CleanupReport, emptyReport());

describe('cleanup of versions', () => {
  it('removes abandoned pending versions (two runs at once, each once), never a live or completed one', async () => {
    const doc = await sharedDocument();
    // A multipart version with one part sent, a single one with its object, and one refused at completion after a rotation.
    const multipart = await reserveAndPut(charlie, doc, pseudoRandomBytes(2 * MiB, 9), [1]);
    const single = await reserveAndPut(charlie, doc, text('never completed'));
    const stale = await reserveAndPut(charlie, doc, text('under generation one'));
    const newKey = generateDataKey();
    const rotated = await api(stack.url, 'POST', `/documents/${doc.documentId}/rotate`, {
      token: alice.accessToken,
      body: {
        keyGeneration: 2,
        chainWrap: await wrapKeyUnderKey(newKey, doc.dek, chainLabel(doc.documentId, 1)),
        encryptedName: await encryptMetadata(newKey, doc.documentId, 'name', 'doc.txt'),
        grants: await Promise.all(
          [alice, charlie].map(async (a) => ({
            principalId: `u:${a.userId}`,
            wrappedKey: toBase64Url(await wrapKey(a.publicKey, newKey, { kind: 'dek', resourceId: doc.documentId, generation: 2, recipientId: `u:${a.userId}` })),
            fingerprint: a.fingerprint,
          })),
        ),
      },
    });
    expect(rotated.status).toBe(200);
    const refused = await api(stack.url, 'POST', `/documents/${doc.documentId}/versions/${stale.version}/complete`, { token: charlie.accessToken, body: {} });
    expect(refused.body.error.code).toBe('KEY_GENERATION_STALE');
    // A completed version under the new key, which nothing may touch.
    const live = await reserveAndPut(charlie, { ...doc, dek: newKey }, text('live'), undefined, 2);
    expect((await api(stack.url, 'POST', `/documents/${doc.documentId}/versions/${live.version}/complete`, { token: charlie.accessToken, body: {} })).status).toBe(200);

    // Not yet due: nothing happens.
    expect(await stack.cleanup()).toEqual(emptyReport());
    expect(await versionItems(doc.documentId)).toHaveLength(5);

    offsetMs += DAY_MS + 1000;
    const aborted: string[] = [];
    const objects = stack.deps.objects;
    const original = objects.abortMultipartUpload.bind(objects);
    // s3rver answers 405 to AbortMultipartUpload: the abort is checked on the port.
    const spy = vi.spyOn(objects, 'abortMultipartUpload').mockImplementation(async (key, uploadId) => {
      aborted.push(`${key} ${uploadId}`);
      await original(key, uploadId);
    });
    const reports = await Promise.all([stack.cleanup(), runCleanup(stack.deps)]);
    spy.mockRestore();
    const sum = total(reports);
    expect(sum.abandonedVersions).toBe(3);
    expect(sum.failed).toBe(0);
    expect(sum.skipped).toBeLessThanOrEqual(3);
    expect({ ...sum, abandonedVersions: 0, skipped: 0 }).toEqual(emptyReport());
    expect(aborted).toEqual([`${objectKey(doc.documentId, multipart.version)} ${multipart.uploadId}`]);
    expect(await versionItems(doc.documentId)).toEqual([
      { version: 1, state: 'active' },
      { version: live.version, state: 'active' },
    ]);
    for (const v of [single.version, stale.version, multipart.version]) expect(await objectExists(objectKey(doc.documentId, v))).toBe(false);
    expect(await objectExists(objectKey(doc.documentId, live.version))).toBe(true);
    const events = (await systemEvents('version.abandon')).filter((e) => (e.targets as { nodeId: string }).nodeId === doc.documentId);
    expect(events.map((e) => (e.details as { version: number }).version).sort()).toEqual([multipart.version, single.version, stale.version].sort());

    // Run twice more at once: nothing left to do, nothing changes.
    const again = await Promise.all([stack.cleanup(), runCleanup(stack.deps)]);
    for (const report of again) expect(report).toEqual(emptyReport());
    expect(await versionItems(doc.documentId)).toHaveLength(2);
  });

  it('finishes a prune that failed half-way, once its entry comes due, exactly once across two runs', async () => {
    await Promise.all([login(alice), login(charlie)]);
    const doc = await sharedDocument();
    expect((await api(stack.url, 'PUT', `/nodes/${doc.documentId}/settings`, { token: alice.accessToken, body: { keepVersions: 1 } })).status).toBe(200);
    const two = await reserveAndPut(charlie, doc, text('two'));
    // S3 fails while retention deletes version 1's object: the completion still succeeds.
    const objects = stack.deps.objects;
    const original = objects.deleteObjects.bind(objects);
    const failing = vi.spyOn(objects, 'deleteObjects').mockImplementation(async (keys) => {
      if (keys.includes(objectKey(doc.documentId, 1))) throw new ServiceUnavailable();
      await original(keys);
    });
    const done = await api(stack.url, 'POST', `/documents/${doc.documentId}/versions/${two.version}/complete`, { token: charlie.accessToken, body: {} });
    failing.mockRestore();
    expect(done.status).toBe(200);
    // Version 1 is off every read at once, but its object and item are still there.
    expect((await api(stack.url, 'GET', `/documents/${doc.documentId}/versions`, { token: charlie.accessToken })).body.versions.map((v: { version: number }) => v.version)).toEqual([2]);
    expect(await versionItems(doc.documentId)).toEqual([
      { version: 1, state: 'pruned' },
      { version: 2, state: 'active' },
    ]);
    expect(await objectExists(objectKey(doc.documentId, 1))).toBe(true);

    // A removal may still be running in its request: not due before RESUME_AFTER_SECONDS.
    expect(await stack.cleanup()).toEqual(emptyReport());
    offsetMs += RESUME_AFTER_SECONDS * 1000 + 1000;
    const reports = await Promise.all([stack.cleanup(), runCleanup(stack.deps)]);
    const sum = total(reports);
    expect(sum.prunedVersions).toBe(1);
    expect({ ...sum, prunedVersions: 0, skipped: 0 }).toEqual(emptyReport());
    expect(await versionItems(doc.documentId)).toEqual([{ version: 2, state: 'active' }]);
    expect(await objectExists(objectKey(doc.documentId, 1))).toBe(false);
    expect(await objectExists(objectKey(doc.documentId, 2))).toBe(true);
    const events = (await systemEvents('version.prune')).filter((e) => (e.targets as { nodeId: string }).nodeId === doc.documentId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorKind: 'system', details: { version: 1 } });
    for (const report of await Promise.all([stack.cleanup(), runCleanup(stack.deps)])) expect(report).toEqual(emptyReport());
  });
});

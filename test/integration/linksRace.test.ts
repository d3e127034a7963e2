import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, register, upload } from '../helpers/actors.js';
import { fakeProof, LINK_KDF, linkEvents, newLink, openLink } from '../helpers/links.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/** Share links under concurrency: the download limit is a DynamoDB condition, not an if-statement. */
let stack: LocalStack;
let url: string;
let alice: Actor;

beforeAll(async () => {
  stack = await startLocalStack();
  url = stack.url;
  alice = await register(url, 'alice');
});
afterAll(() => stack?.stop());

async function linkItem(linkId: string) {
  return (await stack.deps.db.doc.send(new GetCommand({ TableName: stack.table, Key: keys.link(linkId), ConsistentRead: true }))).Item!;
}

describe('parallel opens', () => {
  it('give exactly maxDownloads successes out of 50, the rest LINK_EXHAUSTED, and count exactly maxDownloads', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('raced'), 'raced.txt');
    const { token, linkId } = await newLink(url, alice, doc.documentId, { maxDownloads: 10 });
    const results = await Promise.all(Array.from({ length: 50 }, () => openLink(url, { token })));
    const statuses = results.map((r) => (r.status === 200 ? 'ok' : `${r.status} ${r.body.error.code}`));
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(10);
    expect(statuses.filter((s) => s === '410 LINK_EXHAUSTED')).toHaveLength(40);
    const item = await linkItem(linkId);
    expect([item.downloads, item.accessCount]).toEqual([10, 10]);
    const events = (await linkEvents(stack, linkId)).filter((e) => e.operation === 'link.open');
    expect(events.filter((e) => e.status === 200)).toHaveLength(10);
    expect(events.filter((e) => e.errorCode === 'LINK_EXHAUSTED')).toHaveLength(40);
  }, 25_000);

  it('with the right password all succeed and leave no failed attempt', async () => {
    const doc = await upload(url, alice, new TextEncoder().encode('raced with a password'), 'pw.txt');
    const proof = fakeProof();
    const { token, linkId } = await newLink(url, alice, doc.documentId, { password: { proof, kdf: LINK_KDF } });
    const results = await Promise.all(Array.from({ length: 20 }, () => openLink(url, { token, proof })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const item = await linkItem(linkId);
    expect([item.downloads, item.accessCount, item.failedAttempts]).toEqual([20, 20, 0]);
  });
});

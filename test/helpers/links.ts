import { randomBytes } from 'node:crypto';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import type { Actor } from './actors.js';
import { api, type ApiResponse } from './http.js';
import type { LocalStack } from './localStack.js';

/**
 * Share links at the protocol level. The server never does link crypto, so a test stands in
 * random bytes of the right shapes: an 82-character wrap and 32-byte proofs.
 */
export const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
/** A key-under-key wrap's shape: 61 bytes, 82 characters. */
export const fakeWrap = () => b64(61);
/** A password proof's shape: 32 bytes, 43 characters. */
export const fakeProof = () => b64(32);
export const LINK_KDF = { algorithm: 'argon2id', memoryKiB: TEST_KDF.memoryKiB, iterations: TEST_KDF.iterations, parallelism: TEST_KDF.parallelism };

/** A movable clock for the handlers: `set` freezes it at an instant, `reset` lets it run again. */
export function movableClock() {
  let frozen: number | undefined;
  return {
    now: () => frozen ?? Date.now(),
    set: (ms: number) => {
      frozen = ms;
    },
    reset: () => {
      frozen = undefined;
    },
  };
}

export function createLink(url: string, actor: Actor, nodeId: string, body: Record<string, unknown> = {}): Promise<ApiResponse> {
  return api(url, 'POST', `/nodes/${nodeId}/links`, { token: actor.accessToken, body: { wrappedKey: fakeWrap(), keyGeneration: 1, ...body } });
}

/** createLink that must succeed: the token and the summary. */
export async function newLink(url: string, actor: Actor, nodeId: string, body: Record<string, unknown> = {}): Promise<{ token: string; linkId: string; link: any }> {
  const res = await createLink(url, actor, nodeId, body);
  if (res.status !== 201) throw new Error(`createLink: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, linkId: res.body.link.linkId, link: res.body.link };
}

/** POST /links/open, anonymous unless an actor is given. */
export function openLink(url: string, body: Record<string, unknown>, as?: Actor): Promise<ApiResponse> {
  return api(url, 'POST', '/links/open', { body, ...(as ? { token: as.accessToken } : {}) });
}

/** Every item of the table (tests only: the server never scans). */
export async function scanTable(stack: LocalStack): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.db.doc.send(new ScanCommand({ TableName: stack.table, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The link events (`link.*`) of one link, oldest first. */
export async function linkEvents(stack: LocalStack, linkId: string): Promise<Record<string, unknown>[]> {
  const items = await auditItems(stack);
  return items.filter((i) => (i.targets as Record<string, string> | undefined)?.linkId === linkId);
}

/** Every audit event, on every chain, oldest first. */
export async function auditItems(stack: LocalStack): Promise<Record<string, unknown>[]> {
  return (await readAuditEvents(stack.deps.db)) as unknown as Record<string, unknown>[];
}

/** Sets attributes of a node's META directly (a key change or limit the test does not need the full flow of). */
export async function setNodeAttributes(stack: LocalStack, nodeId: string, values: Record<string, unknown>): Promise<void> {
  const names: Record<string, string> = {};
  const vals: Record<string, unknown> = {};
  const set = Object.entries(values).map(([k, v], i) => {
    names[`#a${i}`] = k;
    vals[`:v${i}`] = v;
    return `#a${i} = :v${i}`;
  });
  await stack.deps.db.doc.send(
    new UpdateCommand({ TableName: stack.table, Key: { pk: `NODE#${nodeId}`, sk: 'META' }, UpdateExpression: `SET ${set.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: vals }),
  );
}

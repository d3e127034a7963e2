/**
 * The permission benchmark (issue 3), on the local stack:
 * 1. the access check (`resolveAccess`): DynamoDB calls and latency for folder depth × groups in
 *    the caller's principal set; the batch check (`resolveMany`) of 100 siblings; and GET
 *    /documents/{id} end to end at the worst cell;
 * 2. sharing a document with 1,000 users, timed on the client: open the DEK, look up the public
 *    keys, wrap for each, POST /nodes/{id}/share in batches of 50;
 * 3. sharing a document with one group of 1,000 members: one wrap, one request.
 *
 * All data is built through the API, as a client would (groups, members, folder chains, uploads,
 * shares); only the checks of part 1 call the resolver in-process, through Deps whose DynamoDB
 * client is a separate one with a call recorder on it.
 */
import {
  fingerprint,
  fromBase64Url,
  generateUserKeyPair,
  importPublicKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
} from '../../shared/core/crypto/index.js';
import { resolveAccess, resolveMany } from '../../shared/server/access/resolveAccess.js';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/server/data/keys.js';
import { getPrincipalSets } from '../../shared/server/data/principalSets.js';
import type { Caller } from '../../shared/server/http/Operation.js';
import { MAX_PRINCIPALS_PER_REQUEST } from '../../shared/core/api/schemas/sharing.js';
import { type Actor, register, upload } from '../helpers/actors.js';
import type { LocalStack } from './benchStack.js';
import { type DocumentHandle, type FolderHandle, openKeyPath, uploadInto } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { startBenchStack } from './benchStack.js';
import {
  addGroupMembers,
  asRecipient,
  type BenchGroup,
  createGroup,
  type DynamoCall,
  type DynamoCallRecorder,
  type KeyHolder,
  expectStatus,
  folderChain,
  itemsWritten,
  mapLimit,
  recordDynamoCalls,
  recordedDeps,
  registerRecipients,
  roundTrips,
  shareFolderWith,
} from './permissionFixtures.js';
import { mean, percentile } from './stats.js';

export interface PermissionBenchOptions {
  /** Timed checks per cell (and requests for the end-to-end GET). */
  iterations: number;
  warmup: number;
  /** Users in part 2, members in part 3. */
  shareUsers: number;
  /** Timed runs of each sharing scenario (a new document each). */
  shareRepeats: number;
  /** POST /nodes/{id}/share requests in flight at once in part 2 (409 CONCURRENT_UPDATE is retried). */
  shareConcurrency: number;
  log: (line: string) => void;
}

export const DEPTHS = [1, 5, 20] as const;
export const GROUP_COUNTS = [0, 10, 100] as const;
/** Sibling documents in the batch check (the API's maximum per request). */
export const BATCH_SIBLINGS = 100;

export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** One cell of the grid: a document `depth` folders deep, a caller in `groups` groups. */
export interface CheckCell {
  depth: number;
  groups: number;
  /** Where the caller's level comes from: `u:<caller>` or `g:<group>` on the chain's top folder. */
  accessVia: 'user grant on the top folder' | 'group grant on the top folder';
  role: string;
  n: number;
  /** DynamoDB commands per check (min and max over the timed checks), by command. */
  calls: { min: number; max: number };
  commands: Record<string, number>;
  /** Sequential round trips per check (max). */
  roundTrips: number;
  ms: Latency;
}

export interface BatchCheckResult {
  documents: number;
  depth: number;
  groups: number;
  n: number;
  resolved: number;
  calls: { min: number; max: number };
  commands: Record<string, number>;
  roundTrips: number;
  ms: Latency;
}

export interface EndToEndResult {
  route: string;
  depth: number;
  groups: number;
  n: number;
  server: Latency;
  client: Latency;
  /** DynamoDB commands per request, by command (the stack's own client, during the timed requests). */
  commands: Record<string, number>;
  /** The key path returned opened with the group's private key to the document's DEK (checked once). */
  keyPathOpened: boolean;
  keyPathSteps: number;
}

export interface UserShareRun {
  ms: { openDek: number; lookup: number; keys: number; wraps: number; requests: number; total: number };
  lookupRequests: number;
  shareRequests: number;
  retries: number;
  wraps: number;
  grantItemsWritten: number;
  /** GRANT# items on the document afterwards (the owner's included). */
  grantsOnNode: number;
}

export interface UserShareResult {
  users: number;
  batchSize: number;
  concurrency: number;
  runs: UserShareRun[];
  /** The run with the median total. */
  median: UserShareRun;
}

export interface GroupShareRun {
  ms: { groupKey: number; openDek: number; wrap: number; request: number; total: number };
  wraps: number;
  shareRequests: number;
  grantItemsWritten: number;
  grantsOnNode: number;
}

export interface GroupShareResult {
  members: number;
  runs: GroupShareRun[];
  median: GroupShareRun;
}

export interface PermissionResults {
  iterations: number;
  warmup: number;
  cells: CheckCell[];
  batch: BatchCheckResult;
  endToEnd: EndToEndResult;
  userShare: UserShareResult;
  groupShare: GroupShareResult;
}

const latency = (ms: readonly number[]): Latency => ({ p50: percentile(ms, 50), p99: percentile(ms, 99), mean: mean(ms), max: Math.max(...ms) });

/** Commands per operation, averaged over `count` operations: { BatchGetItem: 2 }. */
function perOperation(calls: readonly DynamoCall[], count: number): Record<string, number> {
  const totals = new Map<string, number>();
  for (const c of calls) totals.set(c.command, (totals.get(c.command) ?? 0) + 1);
  return Object.fromEntries([...totals.entries()].sort().map(([k, v]) => [k, Math.round((v / count) * 100) / 100]));
}

/**
 * `warmup` unrecorded checks, then `iterations` recorded and timed one at a time, each result
 * passed to `verify`: the calls per check (min, max), commands per check, round trips (max), latency.
 */
async function measureChecks<T>(
  recorder: DynamoCallRecorder,
  options: Pick<PermissionBenchOptions, 'iterations' | 'warmup'>,
  check: () => Promise<T>,
  verify: (result: T) => void,
): Promise<{ n: number; calls: { min: number; max: number }; commands: Record<string, number>; roundTrips: number; ms: Latency }> {
  for (let i = 0; i < options.warmup; i++) verify(await check());
  const ms: number[] = [];
  const perCheck: number[] = [];
  const rounds: number[] = [];
  const all: DynamoCall[] = [];
  for (let i = 0; i < options.iterations; i++) {
    recorder.clear();
    recorder.recording = true;
    const started = performance.now();
    const result = await check();
    ms.push(performance.now() - started);
    recorder.recording = false;
    verify(result);
    perCheck.push(recorder.calls.length);
    rounds.push(roundTrips(recorder.calls));
    all.push(...recorder.calls);
  }
  return {
    n: ms.length,
    calls: { min: Math.min(...perCheck), max: Math.max(...perCheck) },
    commands: perOperation(all, ms.length),
    roundTrips: Math.max(...rounds),
    ms: latency(ms),
  };
}

const medianBy = <T>(runs: T[], key: (r: T) => number): T => [...runs].sort((a, b) => key(a) - key(b))[Math.floor((runs.length - 1) / 2)]!;

export async function permissionBench(options: PermissionBenchOptions): Promise<PermissionResults> {
  const { log } = options;
  log('  starting the local stack (DynamoDB Local, s3rver, in-process keyring KMS)...');
  const stack = await startBenchStack();
  const { url } = stack;
  // The stack's own client (HTTP requests): off except around the timed requests that report calls.
  const served = recordDynamoCalls(stack.deps.db.doc);
  const runId = Date.now().toString(36);
  try {
    log('  setting up: owner, callers in 0/10/100 groups (groups and members through the API)...');
    const [owner, c0, c10, c100] = (await Promise.all(['owner', 'c0', 'c10', 'c100'].map((n) => register(url, `p${runId}-${n}`)))) as [Actor, Actor, Actor, Actor];
    const callers = new Map<number, Actor>([
      [0, c0],
      [10, c10],
      [100, c100],
    ]);
    // One key pair for all grid groups (RSA-3072 generation takes most of a second here); each group has its own secret.
    const gridPair = await generateUserKeyPair();
    const groups: BenchGroup[] = [];
    for (let i = 0; i < Math.max(...GROUP_COUNTS); i++) {
      const group = await createGroup(url, owner, `grid-${i}`, gridPair);
      // Sequential: each add rewrites the members' principal sets under a rev guard.
      await addGroupMembers(url, owner, group, i < 10 ? [asRecipient(c100), asRecipient(c10)] : [asRecipient(c100)]);
      groups.push(group);
    }
    const sets = await getPrincipalSets(stack.deps.db, [...callers.values()].map((c) => c.userId));
    for (const [count, caller] of callers) {
      const inSet = Object.keys(sets.get(caller.userId)?.groups ?? {}).length;
      if (inSet !== count) throw new Error(`${caller.userId}: principal set holds ${inSet} groups, expected ${count}`);
    }

    log('  setting up: a folder chain and a document per cell, the top folder shared with the caller or one of its groups...');
    const fixtures = new Map<string, { doc: DocumentHandle; folder: FolderHandle; group?: BenchGroup }>();
    for (const depth of DEPTHS) {
      for (const count of GROUP_COUNTS) {
        const chain = await folderChain(url, owner, depth, `d${depth}-g${count}`);
        const group = count > 0 ? groups[count - 1]! : undefined;
        await shareFolderWith(url, owner, chain[0]!, group ?? asRecipient(callers.get(count)!));
        const doc = await uploadInto(url, owner, chain.at(-1)!, new TextEncoder().encode(`cell ${depth}/${count}`), `cell-${depth}-${count}.txt`);
        fixtures.set(`${depth}/${count}`, { doc, folder: chain.at(-1)!, ...(group ? { group } : {}) });
      }
    }

    // --- 1. the access check ---------------------------------------------------------
    const { deps: counted, recorder } = recordedDeps(stack.deps, stack.endpoints);
    const cells: CheckCell[] = [];
    log(`  access check: ${options.iterations} checks per cell after ${options.warmup} warm-up, resolveAccess in-process`);
    for (const depth of DEPTHS) {
      for (const count of GROUP_COUNTS) {
        const { doc } = fixtures.get(`${depth}/${count}`)!;
        const caller: Caller = { userId: callers.get(count)!.userId, kind: 'member' };
        const m = await measureChecks(recorder, options, () => resolveAccess(counted, caller, doc.documentId, { kind: 'document' }), (access) => {
          if (access.role !== 'viewer') throw new Error(`cell ${depth}/${count}: resolved ${access.role}, expected viewer (inherited from the top folder)`);
          if (access.principals.size !== count + 1) throw new Error(`cell ${depth}/${count}: the check saw ${access.principals.size - 1} groups`);
        });
        const cell: CheckCell = {
          depth,
          groups: count,
          accessVia: count === 0 ? 'user grant on the top folder' : 'group grant on the top folder',
          role: 'viewer',
          ...m,
        };
        cells.push(cell);
        log(`    depth ${String(depth).padStart(2)}, ${String(count).padStart(3)} groups: ${cell.calls.max} DynamoDB calls, p50 ${cell.ms.p50.toFixed(2)} ms, p99 ${cell.ms.p99.toFixed(2)} ms`);
      }
    }

    // Batch check: the worst cell's folder filled to 100 sibling documents.
    const worst = fixtures.get(`${Math.max(...DEPTHS)}/${Math.max(...GROUP_COUNTS)}`)!;
    log(`  batch check: ${BATCH_SIBLINGS} sibling documents in the depth-${Math.max(...DEPTHS)} folder (uploading ${BATCH_SIBLINGS - 1} more)...`);
    const siblings = [worst.doc.documentId];
    siblings.push(
      ...(await mapLimit(Array.from({ length: BATCH_SIBLINGS - 1 }, (_, i) => i), 4, async (i) => (await uploadInto(url, owner, worst.folder, new TextEncoder().encode(`sibling ${i}`), `sibling-${i}.txt`)).documentId)),
    );
    const batchCaller: Caller = { userId: c100.userId, kind: 'member' };
    const b = await measureChecks(recorder, options, () => resolveMany(counted, batchCaller, siblings), (result) => {
      if (result.size !== BATCH_SIBLINGS) throw new Error(`batch check resolved ${result.size} of ${BATCH_SIBLINGS}`);
    });
    const batch: BatchCheckResult = { documents: BATCH_SIBLINGS, depth: Math.max(...DEPTHS), groups: Math.max(...GROUP_COUNTS), resolved: BATCH_SIBLINGS, ...b };
    log(`    ${batch.calls.max} DynamoDB calls in ${batch.roundTrips} round trips, p50 ${batch.ms.p50.toFixed(2)} ms, p99 ${batch.ms.p99.toFixed(2)} ms`);

    // End to end: GET /documents/{id} at the worst cell, over HTTP; the key path opened once.
    const e2eDoc = worst.doc.documentId;
    const first = expectStatus(await api(url, 'GET', `/documents/${e2eDoc}`, { token: c100.accessToken }), 200, 'GET document as c100');
    const dek = await openKeyPath({ privateKey: worst.group!.privateKey } as Actor, { nodeId: e2eDoc, kind: 'document' }, first.body.keyPath);
    const keyPathOpened = Buffer.from(dek).equals(Buffer.from(worst.doc.dek));
    if (!keyPathOpened) throw new Error('the key path of the depth-20 document does not open to its DEK');
    for (let i = 0; i < options.warmup; i++) await api(url, 'GET', `/documents/${e2eDoc}`, { token: c100.accessToken });
    const serverMs: number[] = [];
    const clientMs: number[] = [];
    served.clear();
    served.recording = true;
    for (let i = 0; i < options.iterations; i++) {
      const started = performance.now();
      const res = await api(url, 'GET', `/documents/${e2eDoc}`, { token: c100.accessToken });
      clientMs.push(performance.now() - started);
      expectStatus(res, 200, 'GET document');
      const timing = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
      if (!timing) throw new Error('GET /documents/{id}: no server-timing header');
      serverMs.push(Number(timing[1]));
    }
    served.recording = false;
    const endToEnd: EndToEndResult = {
      route: 'GET /documents/{id}',
      depth: Math.max(...DEPTHS),
      groups: Math.max(...GROUP_COUNTS),
      n: serverMs.length,
      server: latency(serverMs),
      client: latency(clientMs),
      commands: perOperation(served.calls, serverMs.length),
      keyPathOpened,
      keyPathSteps: (first.body.keyPath.steps as unknown[]).length,
    };
    served.clear();
    log(`    GET /documents/{id}: server p50 ${endToEnd.server.p50.toFixed(2)} ms (p99 ${endToEnd.server.p99.toFixed(2)}), client p50 ${endToEnd.client.p50.toFixed(2)} ms`);

    // --- 2. sharing with 1,000 users -------------------------------------------------
    log(`  sharing with ${options.shareUsers} users: registering them (untimed, one shared RSA key pair)...`);
    const recipientPair = await generateUserKeyPair();
    const ids = Array.from({ length: options.shareUsers }, (_, i) => `p${runId}-r${String(i).padStart(4, '0')}`);
    const recipients = await registerRecipients(url, ids, recipientPair, 8);
    const userRuns: UserShareRun[] = [];
    for (let r = 0; r < options.shareRepeats; r++) {
      const doc = await upload(url, owner, new TextEncoder().encode(`share ${r}`), `share-${r}.txt`);
      const run = await shareWithUsers(url, owner, doc.documentId, ids, options.shareConcurrency, served);
      run.grantsOnNode = await grantCount(stack, doc.documentId);
      if (run.grantsOnNode !== options.shareUsers + 1) throw new Error(`after sharing: ${run.grantsOnNode} grants on the document, expected ${options.shareUsers + 1}`);
      userRuns.push(run);
      log(
        `    run ${r + 1}: total ${run.ms.total.toFixed(0)} ms = open DEK ${run.ms.openDek.toFixed(0)} + lookup ${run.ms.lookup.toFixed(0)} + keys ${run.ms.keys.toFixed(0)} + wraps ${run.ms.wraps.toFixed(0)} + requests ${run.ms.requests.toFixed(0)} (${run.shareRequests} requests, ${run.retries} retries)`,
      );
    }
    const userShare: UserShareResult = {
      users: options.shareUsers,
      batchSize: MAX_PRINCIPALS_PER_REQUEST,
      concurrency: options.shareConcurrency,
      runs: userRuns,
      median: medianBy(userRuns, (x) => x.ms.total),
    };

    // --- 3. sharing with one group of 1,000 members ----------------------------------
    log(`  sharing with one group of ${options.shareUsers} members: creating it and adding ${options.shareUsers - 1} members (untimed)...`);
    const big = await createGroup(url, owner, 'all-hands');
    const memberCount = await addGroupMembers(url, owner, big, recipients.slice(0, options.shareUsers - 1));
    if (memberCount !== options.shareUsers) throw new Error(`the group has ${memberCount} members, expected ${options.shareUsers}`);
    const groupRuns: GroupShareRun[] = [];
    for (let r = 0; r < options.shareRepeats; r++) {
      const doc = await upload(url, owner, new TextEncoder().encode(`group share ${r}`), `group-share-${r}.txt`);
      const run = await shareWithGroup(url, owner, doc.documentId, big.groupId, served);
      run.grantsOnNode = await grantCount(stack, doc.documentId);
      if (run.wraps !== 1 || run.shareRequests !== 1 || run.grantItemsWritten !== 1 || run.grantsOnNode !== 2) {
        throw new Error(`group share: ${run.wraps} wraps, ${run.shareRequests} requests, ${run.grantItemsWritten} grant items written, ${run.grantsOnNode} grants on the node; expected 1, 1, 1, 2`);
      }
      groupRuns.push(run);
      log(`    run ${r + 1}: total ${run.ms.total.toFixed(1)} ms = group key ${run.ms.groupKey.toFixed(1)} + open DEK ${run.ms.openDek.toFixed(1)} + 1 wrap ${run.ms.wrap.toFixed(1)} + 1 request ${run.ms.request.toFixed(1)}`);
    }
    const groupShare: GroupShareResult = { members: memberCount, runs: groupRuns, median: medianBy(groupRuns, (x) => x.ms.total) };

    return { iterations: options.iterations, warmup: options.warmup, cells, batch, endToEnd, userShare, groupShare };
  } finally {
    await stack.stop();
  }
}

/** GET /users takes at most this many ids (shared/core/api/schemas/users.ts). */
const LOOKUP_BATCH = 100;
/** Attempts of one share request that lost to a concurrent one on the same node. */
const SHARE_ATTEMPTS = 10;

/** The owner's DEK of a document, opened from the key path GET /documents/{id} returns. */
async function openDocumentKey(url: string, owner: Actor, documentId: string): Promise<{ dek: Uint8Array; keyGeneration: number }> {
  const got = expectStatus(await api(url, 'GET', `/documents/${documentId}`, { token: owner.accessToken }), 200, 'GET document as its owner');
  const { entry, steps } = got.body.keyPath as { entry: { nodeId: string; principalId: string; wrappedKey: string; keyGeneration: number }; steps: unknown[] };
  if (entry.nodeId !== documentId || steps.length > 0) throw new Error('expected the owner key path to be its own grant on the document');
  const dek = await unwrapKey(owner.privateKey, fromBase64Url(entry.wrappedKey), {
    kind: 'dek',
    resourceId: documentId,
    generation: entry.keyGeneration,
    recipientId: entry.principalId,
  });
  return { dek, keyGeneration: got.body.keyGeneration as number };
}

/** A public key as a client accepts it: the stated fingerprint must be its own SHA-256 of the SPKI. */
async function checkedKey(principalId: string, publicKey: string, statedFingerprint: string): Promise<KeyHolder> {
  const spki = fromBase64Url(publicKey);
  if ((await fingerprint(spki)) !== statedFingerprint) throw new Error(`${principalId}: the stated fingerprint is not the key's`);
  return { principalId, publicKey: await importPublicKey(spki), fingerprint: statedFingerprint };
}

/**
 * POST /nodes/{id}/share; a 409 CONCURRENT_UPDATE (another batch of ours won the node's rev) is
 * retried after a random, growing pause. Returns the retries.
 */
async function postShare(url: string, owner: Actor, nodeId: string, body: unknown): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
    const res = await api(url, 'POST', `/nodes/${nodeId}/share`, { token: owner.accessToken, body });
    if (res.status === 200) return attempt;
    if (res.status !== 409 || res.body?.error?.code !== 'CONCURRENT_UPDATE' || attempt + 1 >= SHARE_ATTEMPTS) expectStatus(res, 200, 'share');
  }
}

/**
 * Part 2, timed as a client does it: open our DEK, look up the recipients' public keys (GET /users,
 * 100 ids a request) and check each fingerprint, wrap the DEK for each (RSA-OAEP), then POST the
 * grants in batches of 50.
 */
async function shareWithUsers(url: string, owner: Actor, documentId: string, userIds: readonly string[], concurrency: number, served: DynamoCallRecorder): Promise<UserShareRun> {
  served.clear();
  served.recording = true;
  const t0 = performance.now();
  const { dek, keyGeneration } = await openDocumentKey(url, owner, documentId);
  const t1 = performance.now();
  const profiles: { userId: string; publicKey: string; fingerprint: string }[] = [];
  let lookupRequests = 0;
  for (let i = 0; i < userIds.length; i += LOOKUP_BATCH) {
    const res = expectStatus(await api(url, 'GET', `/users?ids=${userIds.slice(i, i + LOOKUP_BATCH).join(',')}`, { token: owner.accessToken }), 200, 'GET /users');
    lookupRequests += 1;
    if (res.body.unknownUserIds.length > 0) throw new Error(`unknown users: ${res.body.unknownUserIds.join(', ')}`);
    profiles.push(...res.body.users);
  }
  const t2 = performance.now();
  const holders = await Promise.all(profiles.map((p) => checkedKey(`u:${p.userId}`, p.publicKey, p.fingerprint)));
  const t3 = performance.now();
  const wraps = wrapCounter();
  const grants = await Promise.all(
    holders.map(async (h) => {
      const wrapped = await wraps.wrap(h.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: keyGeneration, recipientId: h.principalId });
      return { principalId: h.principalId, wrappedKey: toBase64Url(wrapped), fingerprint: h.fingerprint, role: 'viewer' };
    }),
  );
  dek.fill(0);
  const t4 = performance.now();
  const batches: (typeof grants)[] = [];
  for (let i = 0; i < grants.length; i += MAX_PRINCIPALS_PER_REQUEST) batches.push(grants.slice(i, i + MAX_PRINCIPALS_PER_REQUEST));
  const retries = (await mapLimit(batches, concurrency, (batch) => postShare(url, owner, documentId, { keyGeneration, grants: batch }))).reduce((a, b) => a + b, 0);
  const t5 = performance.now();
  served.recording = false;
  return {
    ms: { openDek: t1 - t0, lookup: t2 - t1, keys: t3 - t2, wraps: t4 - t3, requests: t5 - t4, total: t5 - t0 },
    lookupRequests,
    shareRequests: batches.length + retries,
    retries,
    wraps: wraps.count,
    grantItemsWritten: itemsWritten(served.calls, 'GRANT#'),
    grantsOnNode: 0,
  };
}

/** Part 3, timed: the group's public key (GET /groups/{id}, fingerprint checked), our DEK, one wrap, one request. */
async function shareWithGroup(url: string, owner: Actor, documentId: string, groupId: string, served: DynamoCallRecorder): Promise<GroupShareRun> {
  served.clear();
  served.recording = true;
  const t0 = performance.now();
  const view = expectStatus(await api(url, 'GET', `/groups/${groupId}`, { token: owner.accessToken }), 200, 'GET group');
  const group = await checkedKey(`g:${groupId}`, view.body.publicKey, view.body.fingerprint);
  const t1 = performance.now();
  const { dek, keyGeneration } = await openDocumentKey(url, owner, documentId);
  const t2 = performance.now();
  const wraps = wrapCounter();
  const wrapped = toBase64Url(await wraps.wrap(group.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: keyGeneration, recipientId: group.principalId }));
  dek.fill(0);
  const t3 = performance.now();
  const retries = await postShare(url, owner, documentId, { keyGeneration, grants: [{ principalId: group.principalId, wrappedKey: wrapped, fingerprint: group.fingerprint, role: 'viewer' }] });
  const t4 = performance.now();
  served.recording = false;
  return {
    ms: { groupKey: t1 - t0, openDek: t2 - t1, wrap: t3 - t2, request: t4 - t3, total: t4 - t0 },
    wraps: wraps.count,
    shareRequests: 1 + retries,
    grantItemsWritten: itemsWritten(served.calls, 'GRANT#'),
    grantsOnNode: 0,
  };
}

/** wrapKey, counting its calls. */
function wrapCounter(): { wrap: typeof wrapKey; readonly count: number } {
  let count = 0;
  return {
    wrap: (...args) => {
      count += 1;
      return wrapKey(...args);
    },
    get count() {
      return count;
    },
  };
}

/** GRANT# items of a node, read consistently. */
async function grantCount(stack: LocalStack, nodeId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.db.doc.send(
      new QueryCommand({
        TableName: stack.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :g)',
        ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId), ':g': 'GRANT#' },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

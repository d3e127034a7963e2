import type { Deps } from '../config/Deps.js';
import { auditShards, chainEventsAfter, chainPartition, type ChainHead, readChainHead } from '../data/auditChain.js';
import type { Database } from '../data/Database.js';
import { keys, prefixes } from '../data/keys.js';
import { checkpointSignatureValid } from './checkpointSignature.js';
import { eventHash, GENESIS_HASH } from './eventHash.js';
import type { AuditFinding, AuditReport, ShardReport } from '../../core/api/auditReport.js';

/** What verify needs: the table, and the checkpoint public key (the KeyService's, unless pinned). */
export interface VerifyDeps {
  db: Database;
  keys: Pick<Deps['keys'], 'auditCheckpointPublicKey'>;
}

/**
 * Checks the whole audit log: every chain, in order, by queries (never a scan). Recomputes each
 * event's hash and link, checks that each event sits at the seq and shard it was written for,
 * that the seqs have no gaps up to the head, and every checkpoint's signature and its (seq, hash)
 * against the chain. Events appended while it runs are followed up to the head read after the walk.
 */
export async function verifyAuditLog(deps: VerifyDeps, options: { publicKey?: Uint8Array } = {}): Promise<AuditReport> {
  const spki = options.publicKey ?? (await deps.keys.auditCheckpointPublicKey());
  const shards: ShardReport[] = [];
  const findings: AuditFinding[] = [];
  for (const shard of auditShards) {
    const result = await verifyShard(deps.db, shard, spki);
    shards.push(result.report);
    findings.push(...result.findings);
  }
  return { ok: findings.length === 0, shards, findings };
}

export interface ShardVerification {
  report: ShardReport;
  findings: AuditFinding[];
  head: ChainHead;
}

/**
 * One chain: its report and findings (also used by the checkpoint job before it signs). A query
 * reads committed items but is no snapshot, so a walk racing live appends could in principle see
 * a later event before an earlier one commits; a chain with findings is therefore walked once
 * more, and the second walk is the answer (tampering persists, a race does not).
 */
export async function verifyShard(db: Database, shard: string, spki: Uint8Array): Promise<ShardVerification> {
  const first = await walkShard(db, shard, spki);
  return first.findings.length === 0 ? first : walkShard(db, shard, spki);
}

async function walkShard(db: Database, shard: string, spki: Uint8Array): Promise<ShardVerification> {
  const walk = new ChainWalk(shard);
  const checkpoints: Record<string, unknown>[] = [];
  for await (const page of chainPartition(db, shard)) {
    for (const item of page) {
      const sk = String(item.sk);
      if (sk === keys.auditHead(shard).sk) continue; // read again below, after the walk
      if (sk.startsWith(prefixes.auditCheckpoint)) {
        checkpoints.push(item);
        walk.watch(item.seq);
      } else walk.take(item);
    }
  }
  // The head is read after the walk, so every event the walk saw was written before it; events
  // appended meanwhile are followed up to it.
  const headItem = await readChainHead(db, shard);
  const headExists = headItem.seq > 0;
  if (walk.lastSeq < headItem.seq) {
    for await (const page of chainEventsAfter(db, shard, walk.lastSeq)) for (const item of page) walk.take(item);
  }
  const findings = walk.finish(headItem, headExists);

  let genuine = 0;
  let lastGood = 0;
  for (const cp of checkpoints.sort((a, b) => Number(a.seq) - Number(b.seq))) {
    const sk = String(cp.sk);
    const claim = { shard: cp.shard as string, seq: cp.seq as number, hash: cp.hash as string, at: cp.at as string };
    if (!checkpointSignatureValid(spki, claim, cp.signature)) {
      findings.push({ kind: 'forgedCheckpoint', shard, sk, detail: 'signature' });
      continue;
    }
    if (claim.shard !== shard || sk !== keys.auditCheckpoint(shard, Number(claim.seq)).sk) {
      findings.push({ kind: 'forgedCheckpoint', shard, sk, detail: 'position' });
      continue;
    }
    genuine++;
    const stored = walk.hashAt(claim.seq);
    if (stored === undefined) {
      // Its event is gone: a gap or a cut tail, reported as removed unless already covered.
      if (!findings.some((f) => f.kind === 'removed' && f.from <= claim.seq && claim.seq <= f.to)) {
        findings.push({ kind: 'removed', shard, from: Math.min(walk.lastSeq + 1, claim.seq), to: claim.seq });
      }
    } else if (stored !== claim.hash) {
      findings.push({ kind: 'checkpointMismatch', shard, seq: claim.seq, from: lastGood + 1, to: claim.seq });
    } else lastGood = claim.seq;
  }
  return { report: { shard, events: walk.count, headSeq: headItem.seq, checkpoints: genuine, lastCheckpointSeq: lastGood }, findings, head: headItem };
}

const EVENT_KEY = /^SEQ#([0-9]{12})$/;

/** The walk along one chain's events, in key order. */
class ChainWalk {
  count = 0;
  lastSeq = 0;
  readonly #shard: string;
  readonly #findings: AuditFinding[] = [];
  /** The previous event, when the link to it can be checked. */
  #prev: { seq: number; hash: unknown; selfOk: boolean } | undefined = { seq: 0, hash: GENESIS_HASH, selfOk: true };
  #lastHash: unknown = GENESIS_HASH;
  #expected = 1;
  readonly #watched = new Set<number>();
  readonly #hashes = new Map<number, unknown>();
  /** Every seq seen, with its key: those beyond the head are reported as inserted. */
  readonly #seen: { seq: number; sk: string }[] = [];

  constructor(shard: string) {
    this.#shard = shard;
  }

  /** Remember the stored hash at `seq` (a checkpoint's). */
  watch(seq: unknown): void {
    if (typeof seq === 'number') this.#watched.add(seq);
  }

  hashAt(seq: number): string | undefined {
    const hash = this.#hashes.get(seq);
    return typeof hash === 'string' ? hash : undefined;
  }

  take(item: Record<string, unknown>): void {
    const shard = this.#shard;
    const sk = String(item.sk);
    const match = EVENT_KEY.exec(sk);
    const pos = match ? Number(match[1]) : 0;
    if (pos === 0) {
      this.#findings.push({ kind: 'inserted', shard, sk, detail: 'not a chain key' });
      return;
    }
    if (pos < this.#expected) return; // seen already (the follow-up query overlaps the walk)
    this.count++;
    this.#seen.push({ seq: pos, sk });
    if (pos > this.#expected) {
      this.#findings.push({ kind: 'removed', shard, from: this.#expected, to: pos - 1 });
      this.#prev = undefined;
    }
    this.#expected = pos + 1;
    this.lastSeq = pos;
    this.#lastHash = item.hash;
    if (this.#watched.has(pos)) this.#hashes.set(pos, item.hash);

    if (item.shard !== shard) {
      this.#findings.push({ kind: 'inserted', shard, sk, detail: 'another shard' });
      this.#prev = undefined;
      return;
    }
    if (item.seq !== pos) {
      this.#findings.push({ kind: 'reordered', shard, seq: pos, holds: item.seq });
      this.#prev = undefined; // its neighbours' links are broken by the move, not by an edit
      return;
    }
    let recomputed: string | undefined;
    try {
      recomputed = eventHash(item);
    } catch {
      recomputed = undefined; // an attribute no writer stores
    }
    const selfOk = recomputed !== undefined && recomputed === item.hash;
    if (!selfOk) this.#findings.push({ kind: 'modified', shard, seq: pos, detail: 'content' });
    const prev = this.#prev;
    if (prev && item.prevHash !== prev.hash && selfOk && prev.selfOk && prev.seq > 0) {
      // Both hashes check out, yet the link is broken: the previous event was rewritten with its hash.
      this.#findings.push({ kind: 'modified', shard, seq: prev.seq, detail: 'rehashed' });
    } else if (prev && prev.seq === 0 && item.prevHash !== GENESIS_HASH && selfOk) {
      this.#findings.push({ kind: 'modified', shard, seq: pos, detail: 'rehashed' });
    }
    this.#prev = { seq: pos, hash: item.hash, selfOk };
  }

  finish(head: ChainHead, headExists: boolean): AuditFinding[] {
    const shard = this.#shard;
    const findings = this.#findings;
    if (!headExists && this.lastSeq > 0) {
      // The head is gone (and the chain cannot be appended to): one finding, not every event.
      findings.push({ kind: 'modified', shard, seq: this.lastSeq, detail: 'head' });
    } else if (this.lastSeq > head.seq) {
      // Events beyond the head were never appended by a writer: report those, not their links.
      const beyond = this.#seen.filter((s) => s.seq > head.seq);
      const kept = findings.filter((f) => !('seq' in f && f.seq > head.seq) && !(f.kind === 'removed' && f.from > head.seq));
      findings.length = 0;
      findings.push(...kept, ...beyond.map((s) => ({ kind: 'inserted', shard, sk: s.sk, detail: 'beyond the head' }) as const));
    } else if (this.lastSeq < head.seq) {
      findings.push({ kind: 'removed', shard, from: this.lastSeq + 1, to: head.seq });
    } else if (headExists && this.#lastHash !== head.hash) {
      findings.push({ kind: 'modified', shard, seq: head.seq, detail: 'head' });
    }
    return findings;
  }
}

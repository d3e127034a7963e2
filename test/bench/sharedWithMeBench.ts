/**
 * "Shared with me" (GET /documents, docs/design.md): one page for a caller in 0, 10 and 100
 * groups (each group a member of nothing else), on the local stack. Each caller holds 50 direct
 * grants and each of its groups 2 more (folders: no object to upload), so the merged listing has
 * 50 + 2N entries. Timed in-process (`listCallerDocuments`) through Deps whose DynamoDB client
 * records every command: commands and sequential round trips per page, p50/p99 of the first page,
 * and the pages a whole walk takes. Fixtures are built through the API, as a client would.
 */
import { PRINCIPAL_QUERIES_AT_ONCE, listCallerDocuments } from '../../shared/server/services/documents/listCallerDocuments.js';
import { generateUserKeyPair } from '../../shared/core/crypto/index.js';
import { type Actor, register } from '../helpers/actors.js';
import { mkdir } from '../helpers/folders.js';
import { startBenchStack } from './benchStack.js';
import { addGroupMembers, asRecipient, type BenchGroup, createGroup, recordedDeps, roundTrips, shareFolderWith } from './permissionFixtures.js';
import { percentile } from './stats.js';

export const REACH_GROUP_COUNTS = [0, 10, 100] as const;
const DIRECT_GRANTS = 50;
const GRANTS_PER_GROUP = 2;
const PAGE = 50;

export interface SharedWithMeRow {
  groups: number;
  entries: number;
  pageSize: number;
  n: number;
  /** DynamoDB commands for the first page, by command. */
  commands: Record<string, number>;
  roundTrips: number;
  p50: number;
  p99: number;
  /** Pages of PAGE entries a whole walk took, and its total time. */
  pages: number;
  walkMs: number;
}

export async function sharedWithMeBench(options: { iterations: number; warmup: number; log: (line: string) => void }): Promise<SharedWithMeRow[]> {
  const { log } = options;
  const stack = await startBenchStack();
  const { url } = stack;
  const runId = Date.now().toString(36);
  try {
    const owner = await register(url, `r${runId}-owner`);
    const pair = await generateUserKeyPair();
    const rows: SharedWithMeRow[] = [];
    for (const count of REACH_GROUP_COUNTS) {
      log(`  setting up: a caller in ${count} group(s), ${DIRECT_GRANTS} direct grants and ${GRANTS_PER_GROUP} per group...`);
      const caller: Actor = await register(url, `r${runId}-c${count}`);
      for (let i = 0; i < DIRECT_GRANTS; i++) await shareFolderWith(url, owner, await mkdir(url, owner, `direct-${count}-${i}`), asRecipient(caller));
      for (let g = 0; g < count; g++) {
        const group: BenchGroup = await createGroup(url, owner, `reach-${count}-${g}`, pair);
        await addGroupMembers(url, owner, group, [asRecipient(caller)]);
        for (let i = 0; i < GRANTS_PER_GROUP; i++) await shareFolderWith(url, owner, await mkdir(url, owner, `group-${count}-${g}-${i}`), group);
      }
      const entries = DIRECT_GRANTS + GRANTS_PER_GROUP * count;
      const { deps, recorder } = recordedDeps(stack.deps, stack.endpoints);
      const who = { userId: caller.userId, kind: 'member' as const };
      for (let i = 0; i < options.warmup; i++) await listCallerDocuments(deps, who, PAGE, undefined);
      const ms: number[] = [];
      const rounds: number[] = [];
      const commands: Record<string, number> = {};
      for (let i = 0; i < options.iterations; i++) {
        recorder.clear();
        recorder.recording = true;
        const started = performance.now();
        const page = await listCallerDocuments(deps, who, PAGE, undefined);
        ms.push(performance.now() - started);
        recorder.recording = false;
        if (page.documents.length !== Math.min(PAGE, entries)) throw new Error(`first page: ${page.documents.length} entries, expected ${Math.min(PAGE, entries)}`);
        rounds.push(roundTrips(recorder.calls));
        if (i === 0) for (const c of recorder.calls) commands[c.command] = (commands[c.command] ?? 0) + 1;
      }
      // A whole walk: every entry exactly once.
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      const walkStarted = performance.now();
      do {
        const page = await listCallerDocuments(deps, who, PAGE, cursor);
        pages += 1;
        for (const d of page.documents) {
          if (seen.has(d.documentId)) throw new Error(`walk: ${d.documentId} listed twice`);
          seen.add(d.documentId);
        }
        cursor = page.cursor;
      } while (cursor);
      const walkMs = performance.now() - walkStarted;
      if (seen.size !== entries) throw new Error(`walk: ${seen.size} entries, expected ${entries}`);
      const row: SharedWithMeRow = {
        groups: count,
        entries,
        pageSize: PAGE,
        n: ms.length,
        commands,
        roundTrips: Math.max(...rounds),
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        pages,
        walkMs,
      };
      log(
        `  ${count} groups: first page of ${PAGE} (of ${entries}): ${Object.entries(commands).map(([c, k]) => `${k} ${c}`).join(', ')}; ` +
          `${row.roundTrips} round trips; p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms; whole walk ${pages} pages in ${walkMs.toFixed(0)} ms`,
      );
      rows.push(row);
    }
    log(`  (gsi1 queries run ${PRINCIPAL_QUERIES_AT_ONCE} at a time)`);
    return rows;
  } finally {
    await stack.stop();
  }
}

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_USER_AGENT } from '../../client/cli/cliUserAgent.js';
import { CofferClient } from '../../client/sdk/CofferClient.js';
import { COFFER_VERSION } from '../../client/sdk/cofferVersion.js';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { readAuditEvents } from '../../shared/server/data/auditChain.js';
import { keys } from '../../shared/server/data/keys.js';
import { type Actor, register } from '../helpers/actors.js';
import { type CliResult, jsonOf, runCli, succeeded } from '../helpers/cliRunner.js';
import { api } from '../helpers/http.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * `coffer audit verify | checkpoint | export` through the real CLI against the local stack. The
 * export is compared with the API's pages (read with another auditor's token) and with the chains.
 */
let stack: LocalStack;
let root: string;
const homes = { alice: '', auditor: '' };
let apiAuditor: Actor;
let documentId: string;
let fixtureEnd: string;
const SINCE = '2000-01-01T00:00:00Z';

const cli = (user: keyof typeof homes, args: string[]): Promise<CliResult> => runCli(args, { home: homes[user], serverUrl: stack.url });

/** The lines of a JSON Lines output, each parsed (and each a whole line). */
function jsonLines(stdout: string): any[] {
  if (stdout === '') return [];
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout.slice(0, -1).split('\n').map((line) => JSON.parse(line));
}

/** Every page the API gives for a query. */
async function apiEvents(path: string, params: Record<string, string>): Promise<any[]> {
  const events: any[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ ...params, limit: '3', ...(cursor ? { cursor } : {}) });
    const res = await api(stack.url, 'GET', `${path}?${query}`, { token: apiAuditor.accessToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    events.push(...res.body.events);
    cursor = res.body.cursor;
  } while (cursor);
  return events;
}

beforeAll(async () => {
  stack = await startLocalStack({ settings: { auditors: ['auditor', 'api-auditor'] } });
  root = await mkdtemp(join(tmpdir(), 'coffer-audit-cli-'));
  for (const user of Object.keys(homes) as (keyof typeof homes)[]) {
    homes[user] = join(root, user);
    await mkdir(homes[user], { recursive: true });
    succeeded(await cli(user, ['--json', 'register', '--user', user]));
  }
  apiAuditor = await register(stack.url, 'api-auditor');
  const file = join(root, 'report.txt');
  await writeFile(file, 'audited content');
  documentId = jsonOf(succeeded(await cli('alice', ['--json', 'upload', file]))).documentId;
  for (let i = 0; i < 3; i++) succeeded(await cli('alice', ['download', documentId, '-o', join(root, `copy${i}.txt`)]));
  await new Promise((r) => setTimeout(r, 5));
  fixtureEnd = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
});
afterAll(() => stack?.stop());

describe('coffer audit export', () => {
  it("writes a user's own actions as JSON Lines, exactly the API's events in the same order", async () => {
    const run = succeeded(await cli('alice', ['audit', 'export', '--since', SINCE, '--until', fixtureEnd, '--actor', 'alice']));
    const lines = jsonLines(run.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines).toEqual(await apiEvents('/audit/events', { actor: 'alice', since: SINCE, until: fixtureEnd }));
    const chain = (await readAuditEvents(stack.deps.db)).filter((e) => e.actorId === 'alice' && e.at < fixtureEnd);
    expect(new Set(lines.map((e) => e.id))).toEqual(new Set(chain.map((e) => e.id)));
    expect(lines.every((e) => e.actorId === 'alice' && typeof e.hash === 'string' && e.pk === undefined)).toBe(true);
    expect(run.stderr).toContain(`Exported ${lines.length} event(s).`);
    // the CLI names itself, so the log tells it from other clients
    expect(new Set(lines.map((e) => e.userAgent))).toEqual(new Set([CLI_USER_AGENT]));
    expect(CLI_USER_AGENT).toBe(`coffer-cli/${COFFER_VERSION}`);
  });

  it('the SDK in Node sends coffer-sdk/<version> unless told another User-Agent', async () => {
    // Prepare
    const plain = new CofferClient({ serverUrl: stack.url, tuning: { allowWeakKdf: true } });
    const named = new CofferClient({ serverUrl: stack.url, tuning: { allowWeakKdf: true }, userAgent: 'ledger-sync/2.1' });
    // Act
    await plain.register({ userId: 'sdk-plain', name: 'Plain', passphrase: 'sdk-plain-user-agent-passphrase', kdf: TEST_KDF });
    await named.register({ userId: 'sdk-named', name: 'Named', passphrase: 'sdk-named-user-agent-passphrase', kdf: TEST_KDF });
    // Assess
    const agents = async (actorId: string) => new Set((await readAuditEvents(stack.deps.db)).filter((e) => e.actorId === actorId).map((e) => e.userAgent));
    expect(await agents('sdk-plain')).toEqual(new Set([`coffer-sdk/${COFFER_VERSION}`]));
    expect(await agents('sdk-named')).toEqual(new Set(['ledger-sync/2.1']));
  });

  it('exports who accessed a document the caller owns (--resource --category access)', async () => {
    const run = succeeded(await cli('alice', ['audit', 'export', '--since', SINCE, '--resource', documentId, '--category', 'access']));
    const lines = jsonLines(run.stdout);
    expect(lines.map((e) => e.operation)).toEqual(['getDocument', 'getDocument', 'getDocument']);
    expect(lines).toEqual(await apiEvents('/audit/events', { resource: documentId, category: 'access', since: SINCE }));
  });

  it('exports the external-access report for an auditor, and only then', async () => {
    const run = succeeded(await cli('auditor', ['audit', 'export', '--since', SINCE, '--external']));
    expect(jsonLines(run.stdout)).toEqual(await apiEvents('/audit/external', { since: SINCE }));
    const refused = await cli('alice', ['--json', 'audit', 'export', '--since', SINCE, '--external']);
    expect(refused.code).toBe(3);
    expect(jsonOf(refused).error.code).toBe('NOT_AN_AUDITOR');
  });

  it('refuses another user’s actions to a non-auditor (exit 3) and names the fix', async () => {
    const run = await cli('alice', ['audit', 'export', '--since', SINCE, '--actor', 'auditor']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('coffer:auditors');
  });

  it('needs --since and exactly one of --resource, --actor, --external (exit 2)', async () => {
    expect((await cli('alice', ['audit', 'export', '--actor', 'alice'])).code).toBe(2);
    expect((await cli('alice', ['audit', 'export', '--since', SINCE])).code).toBe(2);
    expect((await cli('alice', ['audit', 'export', '--since', SINCE, '--actor', 'alice', '--external'])).code).toBe(2);
    expect((await cli('alice', ['audit', 'export', '--since', SINCE, '--actor', 'alice', '--category', 'access'])).code).toBe(2);
    expect((await cli('alice', ['audit', 'export', '--since', 'yesterday', '--actor', 'alice'])).code).toBe(2);
  });
});

describe('coffer audit verify and checkpoint', () => {
  it('verifies, signs checkpoints, and verifies again (auditors)', async () => {
    const before = succeeded(await cli('auditor', ['audit', 'verify']));
    expect(before.stdout).toMatch(/^The audit log verifies: 16 chains, \d+ events, 0 signed checkpoints\.\n$/);
    const signed = jsonOf(succeeded(await cli('auditor', ['--json', 'audit', 'checkpoint'])));
    expect(signed.refused).toEqual([]);
    expect(signed.signed.length).toBeGreaterThan(0);
    const after = jsonOf(succeeded(await cli('auditor', ['--json', 'audit', 'verify'])));
    expect(after.ok).toBe(true);
    expect(after.shards.reduce((n: number, s: { checkpoints: number }) => n + s.checkpoints, 0)).toBe(signed.signed.length);
  });

  it('refuses a non-auditor (exit 3, NOT_AN_AUDITOR)', async () => {
    for (const command of ['verify', 'checkpoint']) {
      const run = await cli('alice', ['--json', 'audit', command]);
      expect(run.code).toBe(3);
      expect(jsonOf(run).error.code).toBe('NOT_AN_AUDITOR');
    }
  });

  it('exits 8 naming each finding’s kind, shard and seq when an event was edited in the table', async () => {
    const [victim] = (await readAuditEvents(stack.deps.db)).filter((e) => e.actorId === 'alice');
    await stack.deps.db.doc.send(
      new UpdateCommand({ TableName: stack.table, Key: keys.auditEvent(victim!.shard, victim!.seq), UpdateExpression: 'SET sourceIp = :ip', ExpressionAttributeValues: { ':ip': '203.0.113.9' } }),
    );
    const run = await cli('auditor', ['audit', 'verify']);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain(`modified: shard ${victim!.shard} seq ${victim!.seq} (content)`);
    const json = await cli('auditor', ['--json', 'audit', 'verify']);
    expect(json.code).toBe(8);
    const body = jsonOf(json);
    expect(body.error.code).toBe('AUDIT_LOG_INVALID');
    expect(body.error.details.report.findings).toContainEqual({ kind: 'modified', shard: victim!.shard, seq: victim!.seq, detail: 'content' });
    const checkpoint = await cli('auditor', ['audit', 'checkpoint']);
    expect(checkpoint.code).toBe(8);
    expect(checkpoint.stderr).toContain(`modified: shard ${victim!.shard} seq ${victim!.seq}`);
  });
});

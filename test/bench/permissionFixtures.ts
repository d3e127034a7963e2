/**
 * Building blocks of the permission benchmark (test/bench/permissionBench.ts) and of the
 * call-count test (test/integration/accessCalls.test.ts): a DynamoDB call recorder, and the
 * data built through the API the way a client builds it (users, groups and their members,
 * folder chains, shares), with real wraps so the key paths the server returns can be opened.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, type LocalEndpoints } from '../../shared/server/config/clients.js';
import type { Deps } from '../../shared/server/config/Deps.js';
import {
  TEST_KDF,
  type UserKeyPair,
  deriveUserKeys,
  fingerprint,
  generateGroupKeyPair,
  generateGroupSecret,
  newKdfParams,
  sealGroupPrivateKey,
  sealPrivateKey,
  toBase64Url,
  wrapKey,
} from '../../shared/core/crypto/index.js';
import { GROUP_LIMITS } from '../../shared/core/api/schemas/groups.js';
import type { Actor } from '../helpers/actors.js';
import { mkdir, type FolderHandle } from '../helpers/folders.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { mapBounded } from '../../client/sdk/bounded.js';

// --- DynamoDB calls ------------------------------------------------------------------

/** One command sent through a recorded document client. */
export interface DynamoCall {
  /** `BatchGetItem`, `TransactWriteItems`, ... (the SDK command name without `Command`). */
  command: string;
  /** performance.now() when the command entered the client, and when its answer (or error) came back. */
  started: number;
  ended: number;
  /** The command threw (a failed transaction wrote nothing). */
  failed: boolean;
  /** The command's input as the caller passed it (document form). */
  input: Record<string, unknown>;
}

/** Records every command sent through one document client, while `recording` is on. */
export interface DynamoCallRecorder {
  readonly calls: DynamoCall[];
  recording: boolean;
  /** Forget what was recorded. */
  clear(): void;
}

const COMMAND_SUFFIX = /Command$/;

/**
 * Adds a middleware at the `initialize` step (once per command, before retries) that records
 * every command the client sends. Commands in flight when recording stops still land in `calls`.
 */
export function recordDynamoCalls(doc: DynamoDBDocumentClient, name = 'permissionBenchRecorder'): DynamoCallRecorder {
  const recorder: DynamoCallRecorder = {
    calls: [],
    recording: false,
    clear() {
      this.calls.length = 0;
    },
  };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!recorder.recording) return next(args);
      const call: DynamoCall = {
        command: String(context.commandName ?? 'unknown').replace(COMMAND_SUFFIX, ''),
        started: performance.now(),
        ended: Number.NaN,
        failed: false,
        input: args.input as Record<string, unknown>,
      };
      recorder.calls.push(call);
      try {
        return await next(args);
      } catch (error) {
        call.failed = true;
        throw error;
      } finally {
        call.ended = performance.now();
      }
    },
    { step: 'initialize', name },
  );
  return recorder;
}

/**
 * Deps whose DynamoDB client is a new one, pointed at the same local table, with a recorder
 * on it: what the resolver sends through it is all that is counted (the stack's own client,
 * serving HTTP requests, is untouched).
 */
export function recordedDeps(deps: Deps, endpoints: LocalEndpoints): { deps: Deps; recorder: DynamoCallRecorder } {
  const doc = documentClient(endpoints);
  const recorder = recordDynamoCalls(doc);
  return { deps: { ...deps, db: { doc, table: deps.db.table } }, recorder };
}

/**
 * Sequential round trips among recorded calls: calls that overlap in time (sent together,
 * e.g. by Promise.all) are one round trip; a call sent after every earlier one has answered
 * starts the next.
 */
export function roundTrips(calls: readonly DynamoCall[]): number {
  const sorted = [...calls].sort((a, b) => a.started - b.started);
  let rounds = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const call of sorted) {
    if (call.started >= lastEnd) rounds += 1;
    lastEnd = Math.max(lastEnd, call.ended);
  }
  return rounds;
}

/** Items written by the recorded (successful) TransactWriteItems commands whose sort key starts with `prefix` (e.g. `GRANT#`). */
export function itemsWritten(calls: readonly DynamoCall[], prefix: string): number {
  let n = 0;
  for (const call of calls) {
    if (call.command !== 'TransactWriteItems' || call.failed) continue;
    const items = (call.input.TransactItems ?? []) as { Put?: { Item?: { sk?: unknown } } }[];
    for (const item of items) {
      const sk = item.Put?.Item?.sk;
      if (typeof sk === 'string' && sk.startsWith(prefix)) n += 1;
    }
  }
  return n;
}

// --- Small async helpers ---------------------------------------------------------------

/** `fn` over `items` with at most `limit` in flight; results in order (the SDK's own bounded map). */
export const mapLimit = mapBounded;

/** Throws with the answer's body unless the status is the expected one. */
export function expectStatus(res: ApiResponse, expected: number, what: string): ApiResponse {
  if (res.status !== expected) throw new Error(`${what}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

export const randomId = () => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));

// --- Users -----------------------------------------------------------------------------

/** A registered user as a recipient: what GET /users tells a client, plus its public key. */
export interface RecipientUser {
  userId: string;
  principalId: string;
  publicKey: CryptoKey;
  fingerprint: string;
}

/**
 * Registers users (POST /users, the test KDF) that all share one RSA key pair, `concurrency`
 * at a time. Nobody logs in as them: they are recipients only.
 */
export async function registerRecipients(url: string, userIds: readonly string[], pair: UserKeyPair, concurrency = 8): Promise<RecipientUser[]> {
  const publicKey = toBase64Url(pair.publicKeySpki);
  const keyFingerprint = await fingerprint(pair.publicKeySpki);
  return mapLimit(userIds, concurrency, async (userId) => {
    const kdf = newKdfParams(TEST_KDF);
    const keys = await deriveUserKeys(`bench passphrase ${userId} ${randomId()}`, kdf);
    const sealed = await sealPrivateKey(pair.privateKeyPkcs8, keys.encryptionKey, userId);
    const body = { userId, name: `Bench ${userId}`, publicKey, encryptedPrivateKey: toBase64Url(sealed), kdf, authKey: toBase64Url(keys.authKey) };
    expectStatus(await api(url, 'POST', '/users', { body }), 201, `register ${userId}`);
    return { userId, principalId: `u:${userId}`, publicKey: pair.publicKey, fingerprint: keyFingerprint };
  });
}

export const asRecipient = (actor: Actor): RecipientUser => ({
  userId: actor.userId,
  principalId: `u:${actor.userId}`,
  publicKey: actor.publicKey,
  fingerprint: actor.fingerprint,
});

// --- Groups ----------------------------------------------------------------------------

/** A group as its creator's client holds it: the secret, and the key pair it sealed. */
export interface BenchGroup {
  groupId: string;
  principalId: string;
  secret: Uint8Array;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  fingerprint: string;
}

/**
 * POST /groups as `admin`: a fresh id and secret; the key pair is `pair` when given (benchmark
 * groups may share one, as benchmark users do: generating RSA-3072 takes most of a second here).
 */
export async function createGroup(url: string, admin: Actor, name: string, pair?: UserKeyPair): Promise<BenchGroup> {
  const groupId = randomId();
  const keyPair = pair ?? (await generateGroupKeyPair());
  const secret = generateGroupSecret();
  const keyFingerprint = await fingerprint(keyPair.publicKeySpki);
  const body = {
    groupId,
    name,
    publicKey: toBase64Url(keyPair.publicKeySpki),
    fingerprint: keyFingerprint,
    sealedPrivateKey: await sealGroupPrivateKey(secret, keyPair.privateKeyPkcs8, { groupId, generation: 1 }),
    keyGeneration: 1,
    creatorWrappedSecret: toBase64Url(await wrapKey(admin.publicKey, secret, { kind: 'group', resourceId: groupId, generation: 1, recipientId: `u:${admin.userId}` })),
  };
  expectStatus(await api(url, 'POST', '/groups', { token: admin.accessToken, body }), 201, `create group ${name}`);
  return { groupId, principalId: `g:${groupId}`, secret, publicKey: keyPair.publicKey, privateKey: keyPair.privateKey, fingerprint: keyFingerprint };
}

/** POST /groups/{id}/members as `admin`, the secret wrapped for each member, in batches the API accepts. Returns the member count. */
export async function addGroupMembers(url: string, admin: Actor, group: BenchGroup, members: readonly RecipientUser[]): Promise<number> {
  let memberCount = 0;
  for (let i = 0; i < members.length; i += GROUP_LIMITS.membersPerAdd) {
    const batch = await Promise.all(
      members.slice(i, i + GROUP_LIMITS.membersPerAdd).map(async (m) => ({
        principalId: m.principalId,
        role: 'member',
        wrappedSecret: toBase64Url(await wrapKey(m.publicKey, group.secret, { kind: 'group', resourceId: group.groupId, generation: 1, recipientId: m.principalId })),
        keyGeneration: 1,
        fingerprint: m.fingerprint,
      })),
    );
    const res = expectStatus(await api(url, 'POST', `/groups/${group.groupId}/members`, { token: admin.accessToken, body: { members: batch } }), 200, `add members to ${group.groupId}`);
    memberCount = res.body.memberCount as number;
  }
  return memberCount;
}

// --- Folders and shares ----------------------------------------------------------------

/** `depth` nested folders owned by `owner` (POST /folders), root first. */
export async function folderChain(url: string, owner: Actor, depth: number, name: string): Promise<FolderHandle[]> {
  const chain: FolderHandle[] = [];
  for (let level = 0; level < depth; level++) chain.push(await mkdir(url, owner, `${name}-${level}`, chain.at(-1)));
  return chain;
}

/** A principal a node key can be wrapped for: a user or a group. */
export interface KeyHolder {
  principalId: string;
  publicKey: CryptoKey;
  fingerprint: string;
}

/** POST /nodes/{id}/share of a folder with one user or group (its key wrapped for the principal). */
export async function shareFolderWith(url: string, by: Actor, folder: FolderHandle, to: KeyHolder, role = 'viewer'): Promise<void> {
  const wrapped = await wrapKey(to.publicKey, folder.key, { kind: 'folder', resourceId: folder.folderId, generation: folder.generation, recipientId: to.principalId });
  const body = { keyGeneration: folder.generation, grants: [{ principalId: to.principalId, wrappedKey: toBase64Url(wrapped), fingerprint: to.fingerprint, role }] };
  expectStatus(await api(url, 'POST', `/nodes/${folder.folderId}/share`, { token: by.accessToken, body }), 200, `share ${folder.folderId} with ${to.principalId}`);
}

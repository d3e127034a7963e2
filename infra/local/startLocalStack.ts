import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { S3ObjectStore } from '../../shared/server/adapters/aws/S3ObjectStore.js';
import { LocalDirectoryAuditArchive } from '../../shared/server/adapters/local/LocalDirectoryAuditArchive.js';
import { LocalKeyringKeyService } from '../../shared/server/adapters/local/LocalKeyringKeyService.js';
import { AccessTokens } from '../../shared/server/auth/AccessTokens.js';
import { documentClient, s3Client } from '../../shared/server/config/clients.js';
import { DEFAULT_SETTINGS, type Deps, type Settings } from '../../shared/server/config/Deps.js';
import { areaHandler, type AreaHandler } from '../../shared/server/http/areaHandler.js';
import type { CleanupReport } from '../../shared/server/services/cleanup/index.js';
import type { Area } from '../../shared/core/api/routes.js';
import { operations as auth } from '../../functions/auth/handler.js';
import { operations as documents } from '../../functions/documents/handler.js';
import { operations as folders } from '../../functions/folders/handler.js';
import { operations as groups } from '../../functions/groups/handler.js';
import { operations as sharing } from '../../functions/sharing/handler.js';
import { operations as health } from '../../functions/health/handler.js';
import { operations as links } from '../../functions/links/handler.js';
import { operations as users } from '../../functions/users/handler.js';
import { operations as audit } from '../../functions/audit/operations.js';
import { cleanupHandler } from '../../functions/cleanup/handler.js';
import { type AuditJobRun, checkpointHandler } from '../../functions/audit/handler.js';
import { startCleanupTimer } from './cleanupTimer.js';
import { createTable } from './createTable.js';
import { LOCAL_DEFAULTS } from './defaults.js';
import { requireJava } from './requireJava.js';
import { startDynamoLocal } from './startDynamoLocal.js';
import { startLocalHttpServer } from './localHttpServer.js';
import { removeLocalStackFile, writeLocalStackFile } from './localStackFile.js';
import { startS3Local } from './startS3Local.js';
import { freePort } from './freePort.js';
import { webAppResponder } from './webAppFiles.js';

export interface LocalStackOptions {
  /** Persist everything under this directory; ignored when `inMemory`. */
  dataDir?: string;
  /** Nothing survives stop(): for tests. */
  inMemory?: boolean;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  corsOrigins?: readonly string[];
  settings?: Partial<Settings>;
  /** Injected clock for the handlers and tokens (tests move time). */
  clock?: () => number;
  /** Silence the request logger. */
  quiet?: boolean;
  /**
   * Run the cleanup job and the audit job every this many seconds (`npm start`: 3600). Absent:
   * only on demand, through `cleanup()` and `auditJob()`.
   */
  cleanupIntervalSeconds?: number;
  /**
   * Use this running DynamoDB (an endpoint) instead of starting one, with a table of this name
   * created on start and deleted on stop: how test files share one warm DynamoDB Local.
   */
  dynamodb?: { endpoint: string; table: string };
  /**
   * Serve the built web app (`npm run build:web`) from this directory on the API's origin, and
   * let that origin read object storage (CORS). Absent: the API alone.
   */
  webRoot?: string;
}

export interface LocalStack {
  url: string;
  deps: Deps;
  endpoints: { dynamodb: string; s3: string };
  table: string;
  bucket: string;
  handlers: Record<Area, AreaHandler>;
  /** One run of the cleanup job's handler, now (the same code the hourly schedule runs on AWS). */
  cleanup(): Promise<CleanupReport>;
  /** The audit archive: a directory (`<dataDir>/audit-archive`, or a temporary one in memory). */
  auditArchive: LocalDirectoryAuditArchive;
  /** One run of the audit job's handler, now: sign checkpoints, then archive (as hourly on AWS). */
  auditJob(): Promise<AuditJobRun>;
  stop(): Promise<void>;
}

/**
 * The whole of Coffer on one machine: DynamoDB Local, s3rver, a keyring file in
 * place of KMS, and the Lambda handlers behind a local HTTP server, all on loopback.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const external = options.dynamodb;
  if (!external) requireJava();
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? LOCAL_DEFAULTS.dataDir);
  if (dataDir) await mkdir(external ? dataDir : join(dataDir, 'dynamodb'), { recursive: true, mode: 0o700 });
  const host = options.host ?? LOCAL_DEFAULTS.host;
  // The app's origin must be known before s3rver starts (its CORS rules are set then): a port is picked first.
  const port = options.webRoot !== undefined && options.port === 0 ? await freePort() : (options.port ?? LOCAL_DEFAULTS.port);
  const appOrigin = `http://${host}:${port}`;
  const corsOrigins = [...(options.corsOrigins ?? LOCAL_DEFAULTS.corsOrigins), ...(options.webRoot !== undefined ? [appOrigin] : [])];
  const table = external?.table ?? LOCAL_DEFAULTS.table;
  const { bucket } = LOCAL_DEFAULTS;

  const [dynamo, s3] = await Promise.all([
    external ? { endpoint: external.endpoint, stop: () => Promise.resolve() } : startDynamoLocal(dataDir ? join(dataDir, 'dynamodb') : undefined),
    startS3Local(bucket, corsOrigins, dataDir ? join(dataDir, 's3') : undefined),
  ]);
  const stops: (() => Promise<void>)[] = [dynamo.stop, s3.stop];
  try {
    const endpoints = { dynamodb: dynamo.endpoint, s3: s3.endpoint };
    const admin = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await createTable(admin, table);
    if (external) {
      // Runs after every other stop (unshift puts those first): nothing writes to the table any more.
      stops.push(async () => {
        await admin.send(new DeleteTableCommand({ TableName: table }));
        admin.destroy();
      });
    } else admin.destroy();

    const archiveDir = dataDir ? join(dataDir, 'audit-archive') : await mkdtemp(join(tmpdir(), 'coffer-audit-archive-'));
    if (!dataDir) stops.push(() => rm(archiveDir, { recursive: true, force: true }));
    const auditArchive = new LocalDirectoryAuditArchive(archiveDir);

    const keys = dataDir ? await LocalKeyringKeyService.open(join(dataDir, 'keyring.json')) : LocalKeyringKeyService.inMemory();
    const clock = options.clock ?? (() => Date.now());
    const deps: Deps = {
      db: { doc: documentClient(endpoints), table },
      objects: new S3ObjectStore(s3Client(endpoints), bucket),
      keys,
      tokens: new AccessTokens({ keys, clock }),
      logger: new Logger({ serviceName: 'coffer', logLevel: options.quiet ? 'SILENT' : 'INFO' }),
      clock,
      settings: { ...DEFAULT_SETTINGS, allowWeakKdf: true, ...options.settings },
    };
    const provide = () => Promise.resolve(deps);
    const handlers: Record<Area, AreaHandler> = {
      health: areaHandler('health', health, provide),
      auth: areaHandler('auth', auth, provide),
      users: areaHandler('users', users, provide),
      documents: areaHandler('documents', documents, provide),
      folders: areaHandler('folders', folders, provide),
      sharing: areaHandler('sharing', sharing, provide),
      groups: areaHandler('groups', groups, provide),
      links: areaHandler('links', links, provide),
      // On AWS the audit job's function serves this area (functions/audit/handler.ts).
      audit: areaHandler('audit', audit, provide),
    };
    const http = await startLocalHttpServer(handlers, {
      host,
      port,
      corsOrigins,
      ...(options.webRoot !== undefined ? { webApp: webAppResponder(options.webRoot, { connectOrigins: [endpoints.s3] }) } : {}),
    });
    stops.unshift(http.close);
    const cleanup = cleanupHandler(provide);
    const auditJob = checkpointHandler(() => ({ ...deps, archive: auditArchive }));
    let stopped: Promise<void> | undefined;
    if (options.cleanupIntervalSeconds !== undefined) {
      for (const [job, run] of [['cleanup', cleanup], ['audit', auditJob]] as const) {
        const timer = startCleanupTimer(() => run(), options.cleanupIntervalSeconds * 1000, (error) => {
          deps.logger.error(`${job} failed`, { error: { name: error instanceof Error ? error.name : 'Error' } });
        });
        stops.unshift(timer.stop);
      }
    }
    if (dataDir) {
      // Tells `npm run cleanup` where this stack is; removed first on stop.
      await writeLocalStackFile(dataDir, { endpoints, table, bucket, url: http.url });
      stops.unshift(() => removeLocalStackFile(dataDir));
    }
    return {
      url: http.url,
      deps,
      endpoints,
      table,
      bucket,
      handlers,
      cleanup: () => cleanup(),
      auditArchive,
      auditJob: () => auditJob(),
      // Idempotent: a second stop waits for the first.
      stop: () =>
        (stopped ??= (async () => {
          for (const stop of stops) await stop();
        })()),
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw error;
  }
}

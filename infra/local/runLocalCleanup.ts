import { cleanupDepsFromEnv } from '../../functions/cleanup/cleanupDeps.js';
import { cleanupHandler } from '../../functions/cleanup/handler.js';
import { CLEANUP_COUNTS, type CleanupReport } from '../../shared/server/services/cleanup/index.js';
import { LocalStackNotRunning, readLocalStackFile } from './localStackFile.js';

/**
 * `npm run cleanup`: one run of the cleanup job's handler against the local stack that
 * `npm start` is running from `dataDir`, wired exactly as on Lambda but with its endpoints.
 */
export async function runLocalCleanup(dataDir: string): Promise<CleanupReport> {
  const stack = await readLocalStackFile(dataDir);
  const deps = cleanupDepsFromEnv({
    TABLE_NAME: stack.table,
    BUCKET_NAME: stack.bucket,
    DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
    S3_ENDPOINT: stack.endpoints.s3,
    POWERTOOLS_SERVICE_NAME: 'coffer',
    // The report is printed by the caller; keep the JSON log line out of the terminal.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  try {
    return await cleanupHandler(() => Promise.resolve(deps))();
  } catch (error) {
    if (error instanceof Error && error.name === 'ServiceUnavailable') {
      throw new LocalStackNotRunning(
        `Could not reach Coffer's local DynamoDB at ${stack.endpoints.dynamodb}: is \`npm start\` still running? (A stopped one may have left ${dataDir}/local-stack.json behind.)`,
      );
    }
    throw error;
  } finally {
    deps.db.doc.destroy();
  }
}

/** One line per count, in a fixed order: `expiredLinks: 2`. */
export function formatReport(report: CleanupReport): string[] {
  return CLEANUP_COUNTS.map((count) => `${count}: ${report[count]}`);
}

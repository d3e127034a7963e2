export { type CleanupCount, CLEANUP_COUNTS, type CleanupReport, emptyReport } from './CleanupReport.js';
export { RESUME_AFTER_SECONDS, RETRY_AFTER_SECONDS } from './CleanupRun.js';
export { type CleanupOptions, runCleanup } from './runCleanup.js';

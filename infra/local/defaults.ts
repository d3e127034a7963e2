/** The local stack's defaults: loopback only, one data directory. */
export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  dataDir: '.coffer-data',
  table: 'coffer',
  bucket: 'coffer-documents',
  /** Browser origins allowed by CORS locally (the web UI's dev server). */
  corsOrigins: ['http://127.0.0.1:5173', 'http://localhost:5173'],
  /** `npm start` runs the cleanup job this often, like the hourly schedule on AWS. */
  cleanupIntervalSeconds: 3600,
} as const;

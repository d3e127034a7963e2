import type { Node } from 'constructs';

/**
 * Everything a deployment may vary, read once from CDK context (`cdk.json`, or
 * `-c key=value` on the command line) and validated before any construct exists.
 */
export interface CofferConfig {
  /** Short deployment name; part of the stack names (`Coffer-<stage>-Data`). */
  readonly stage: string;
  /**
   * Browser origins allowed to call the API and to use presigned S3 URLs.
   * Exact origins only (`https://app.example.com`): never `*`, never a path.
   * Empty means no CORS at all (the CLI does not need it).
   */
  readonly corsOrigins: readonly string[];
  /** Powertools `LOG_LEVEL` of every function. */
  readonly logLevel: LogLevel;
  /** X-Ray active tracing on the functions (paid per trace beyond the free tier). */
  readonly tracing: boolean;
  /** The longest a share link may live, in whole days (docs/links.md, "Settings"). */
  readonly linkMaxTtlDays: number;
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The context keys, so docs, tests and code name them the same way. */
export const CONTEXT_KEYS = {
  stage: 'coffer:stage',
  corsOrigins: 'coffer:corsOrigins',
  logLevel: 'coffer:logLevel',
  tracing: 'coffer:tracing',
  linkMaxTtlDays: 'coffer:linkMaxTtlDays',
} as const;

/** `linkMaxTtlDays` bounds: at least a day, at most a year (a share's own longest expiry). */
export const LINK_MAX_TTL_DAYS = { default: 90, min: 1, max: 365 } as const;

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;
const LOCAL_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Reads and validates the `coffer:*` context. Throws with the fix on any invalid value. */
export function configFromContext(node: Node): CofferConfig {
  const stage = String(node.tryGetContext(CONTEXT_KEYS.stage) ?? 'dev');
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`${CONTEXT_KEYS.stage} must match ${STAGE_PATTERN} (got "${stage}"): use e.g. -c ${CONTEXT_KEYS.stage}=prod`);
  }

  const logLevel = String(node.tryGetContext(CONTEXT_KEYS.logLevel) ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`${CONTEXT_KEYS.logLevel} must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  return {
    stage,
    corsOrigins: parseCorsOrigins(node.tryGetContext(CONTEXT_KEYS.corsOrigins)),
    logLevel: logLevel as LogLevel,
    tracing: parseBoolean(CONTEXT_KEYS.tracing, node.tryGetContext(CONTEXT_KEYS.tracing)),
    linkMaxTtlDays: parseLinkMaxTtlDays(node.tryGetContext(CONTEXT_KEYS.linkMaxTtlDays)),
  };
}

/** A whole number of days in LINK_MAX_TTL_DAYS' range; a number (cdk.json) or a string (-c). */
function parseLinkMaxTtlDays(value: unknown): number {
  if (value === undefined || value === null || value === '') return LINK_MAX_TTL_DAYS.default;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(days) || days < LINK_MAX_TTL_DAYS.min || days > LINK_MAX_TTL_DAYS.max) {
    throw new Error(
      `${CONTEXT_KEYS.linkMaxTtlDays} must be a whole number of days from ${LINK_MAX_TTL_DAYS.min} to ${LINK_MAX_TTL_DAYS.max} (got "${String(value)}"): use e.g. -c ${CONTEXT_KEYS.linkMaxTtlDays}=30`,
    );
  }
  return days;
}

/**
 * Accepts a JSON array (cdk.json) or a comma-separated string (`-c coffer:corsOrigins=a,b`).
 * Each entry must be a bare origin: https, or http only for a loopback host.
 */
export function parseCorsOrigins(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const raw = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(raw)) throw new Error(`${CONTEXT_KEYS.corsOrigins} must be a list of origins or a comma-separated string`);
  const origins = raw.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
  for (const origin of origins) assertOrigin(origin);
  return [...new Set(origins)];
}

function assertOrigin(origin: string): void {
  const hint = `${CONTEXT_KEYS.corsOrigins} entries must be exact origins such as https://app.example.com`;
  // Do not remove: a wildcard origin would let any web page drive presigned uploads and the API.
  if (origin.includes('*')) throw new Error(`${hint}; wildcards are not allowed (got "${origin}")`);
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`${hint} (got "${origin}")`);
  }
  if (url.origin !== origin) throw new Error(`${hint}: no path, query or trailing slash (got "${origin}", expected "${url.origin}")`);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
  if (!secure) throw new Error(`${hint}: https is required except for localhost (got "${origin}")`);
}

function parseBoolean(key: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`${key} must be true or false (got "${String(value)}")`);
}

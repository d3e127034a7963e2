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
  /**
   * The audit archive (docs/audit.md, "Archive"): an S3 bucket with Object Lock in compliance
   * mode that the audit job copies every checkpointed event to. `undefined` when disabled.
   */
  readonly auditArchive: { readonly retentionDays: number } | undefined;
  /**
   * Auditors (docs/audit.md, "Queries"): the user ids who may query the whole audit log, verify
   * it and sign checkpoints on demand. Empty by default: nobody.
   */
  readonly auditors: readonly string[];
  /**
   * The web app's own domain name on CloudFront (docs/deploy.md, "Custom domain"), or undefined
   * for the distribution's `*.cloudfront.net` name. Both settings or neither.
   */
  readonly customDomain: CustomDomain | undefined;
}

/** A custom domain for the distribution: the name, and an ACM certificate for it in us-east-1 (CloudFront's region). */
export interface CustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
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
  auditArchive: 'coffer:auditArchive',
  auditArchiveRetentionDays: 'coffer:auditArchiveRetentionDays',
  auditors: 'coffer:auditors',
  domainName: 'coffer:domainName',
  certificateArn: 'coffer:certificateArn',
} as const;

/** `linkMaxTtlDays` bounds: at least a day, at most a year (a share's own longest expiry). */
export const LINK_MAX_TTL_DAYS = { default: 90, min: 1, max: 365 } as const;

/**
 * `auditArchiveRetentionDays` bounds: the default is 7 years (2557 days, the usual SOX/HIPAA
 * horizon); S3 Object Lock allows at most 100 years. Compliance mode: no one, the account root
 * included, can shorten it or delete a locked version before it ends.
 */
export const AUDIT_ARCHIVE_RETENTION_DAYS = { default: 2557, min: 1, max: 36_500 } as const;

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
    linkMaxTtlDays: parseDays(CONTEXT_KEYS.linkMaxTtlDays, node.tryGetContext(CONTEXT_KEYS.linkMaxTtlDays), LINK_MAX_TTL_DAYS, 30),
    auditArchive: parseAuditArchive(node),
    auditors: parseAuditors(node.tryGetContext(CONTEXT_KEYS.auditors)),
    customDomain: parseCustomDomain(node.tryGetContext(CONTEXT_KEYS.domainName), node.tryGetContext(CONTEXT_KEYS.certificateArn)),
  };
}

/** A lower-case DNS name of two labels or more, no wildcard, no trailing dot. */
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** CloudFront only takes certificates from ACM in us-east-1, whatever region the stacks are in. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** Both `coffer:domainName` and `coffer:certificateArn`, or neither (the `*.cloudfront.net` name). */
export function parseCustomDomain(domain: unknown, certificate: unknown): CustomDomain | undefined {
  const given = (value: unknown) => value !== undefined && value !== null && value !== '';
  const { domainName: nameKey, certificateArn: arnKey } = CONTEXT_KEYS;
  if (!given(domain) && !given(certificate)) return undefined;
  if (!given(certificate)) {
    throw new Error(`${nameKey} is set but ${arnKey} is not: set both (an ACM certificate for the name, in us-east-1), or neither to use the CloudFront domain`);
  }
  if (!given(domain)) {
    throw new Error(`${arnKey} is set but ${nameKey} is not: set both (e.g. -c ${nameKey}=coffer.example.com), or neither to use the CloudFront domain`);
  }
  const domainName = String(domain).trim();
  const certificateArn = String(certificate).trim();
  if (!DOMAIN_NAME.test(domainName)) {
    throw new Error(`${nameKey} must be a lower-case host name such as coffer.example.com: no scheme, path, port, wildcard or trailing dot (got "${domainName}")`);
  }
  if (!CERTIFICATE_ARN.test(certificateArn)) {
    throw new Error(
      `${arnKey} must be an ACM certificate ARN in us-east-1 (CloudFront's region), arn:aws:acm:us-east-1:<account>:certificate/<id> (got "${certificateArn}")`,
    );
  }
  return { domainName, certificateArn };
}

/** A JSON array of user ids (cdk.json) or a comma-separated string (`-c coffer:auditors=alice,bob`). */
export function parseAuditors(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const raw = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(raw)) throw new Error(`${CONTEXT_KEYS.auditors} must be a list of user ids or a comma-separated string`);
  const ids = raw.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
  for (const id of ids) {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(id)) throw new Error(`${CONTEXT_KEYS.auditors} entries must be user ids (got "${id}"): use e.g. -c ${CONTEXT_KEYS.auditors}=alice,bob`);
  }
  return [...new Set(ids)];
}

/** On unless `coffer:auditArchive` is false; its retention only when on. */
function parseAuditArchive(node: Node): CofferConfig['auditArchive'] {
  const enabled = parseBoolean(CONTEXT_KEYS.auditArchive, node.tryGetContext(CONTEXT_KEYS.auditArchive) ?? true);
  const retention = node.tryGetContext(CONTEXT_KEYS.auditArchiveRetentionDays);
  const retentionDays = parseDays(CONTEXT_KEYS.auditArchiveRetentionDays, retention, AUDIT_ARCHIVE_RETENTION_DAYS, 3653);
  return enabled ? { retentionDays } : undefined;
}

/** A whole number of days within `range` (its default when absent); a number (cdk.json) or a string (-c). */
function parseDays(key: string, value: unknown, range: { default: number; min: number; max: number }, example: number): number {
  if (value === undefined || value === null || value === '') return range.default;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(days) || days < range.min || days > range.max) {
    throw new Error(
      `${key} must be a whole number of days from ${range.min} to ${range.max} (got "${String(value)}"): use e.g. -c ${key}=${example}`,
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

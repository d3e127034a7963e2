import type { AuditEvent } from '../../shared/core/api/auditEvent.js';

/** The n-th of a series of distinct, valid audit events, for tests that fill the chains directly. */
export const sampleAuditEvent = (n: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  at: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
  actorId: `user-${n}`,
  actorKind: 'user',
  operation: 'test.event',
  category: 'admin',
  outcome: 'success',
  targets: { n: String(n) },
  status: 200,
  requestId: `req-${n}`,
  sourceIp: '203.0.113.9',
  userAgent: 'vitest',
  ...extra,
});

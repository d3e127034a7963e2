import { describe, expect, it, vi } from 'vitest';
import { auditEntry, isApiEvent } from '../../../functions/audit/apiHandler.js';

/** The audit function's one entry point (functions/audit/apiHandler.ts): schedule or API. */
describe('auditEntry', () => {
  it('tells an HTTP API v2 request from an EventBridge scheduled event', () => {
    expect(isApiEvent({ routeKey: 'POST /audit/verify', requestContext: { http: { method: 'POST' } } })).toBe(true);
    expect(isApiEvent({ version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} })).toBe(false);
    expect(isApiEvent({ routeKey: 'POST /audit/verify' })).toBe(false);
    expect(isApiEvent(null)).toBe(false);
    expect(isApiEvent(undefined)).toBe(false);
  });

  it('runs the scheduled job for a scheduled event, and never for an API request', async () => {
    const scheduled = vi.fn(async () => 'ran');
    const entry = auditEntry(scheduled);
    expect(await entry({ 'detail-type': 'Scheduled Event', source: 'aws.events' })).toBe('ran');
    expect(scheduled).toHaveBeenCalledTimes(1);
    // An unknown route of the audit area: answered by the API handler (404), the job not run.
    const res = await entry({ routeKey: 'GET /nowhere', rawPath: '/nowhere', headers: {}, requestContext: { http: { method: 'GET' }, requestId: 'r' } });
    expect(res).toMatchObject({ statusCode: 404 });
    expect(JSON.parse(String((res as { body: string }).body)).error.code).toBe('ROUTE_NOT_FOUND');
    expect(scheduled).toHaveBeenCalledTimes(1);
  });
});

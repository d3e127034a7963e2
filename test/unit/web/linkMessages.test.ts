import { describe, expect, it } from 'vitest';
import { linkMessage } from '../../../client/web/src/link/linkMessages.js';
import { CofferApiError, IntegrityMismatchError, ServerUnreachableError, StorageError } from '../../../client/sdk/errors.js';
import { CofferError, DecryptionFailed, InvalidLinkUrl, receivedCode } from '../../../shared/core/errors/index.js';

/** Every code the API gives a link (docs/links.md, "Errors"), and the client's own failures. */
const API_CODES = [
  'LINK_NOT_FOUND',
  'LINK_EXPIRED',
  'LINK_EXHAUSTED',
  'LINK_STALE',
  'LINK_PASSWORD_WRONG',
  'LINK_LOCKED',
  'LINK_SIGN_IN_REQUIRED',
  'LINK_MEMBERS_ONLY',
  'LINK_USER_NOT_ALLOWED',
];

describe('linkMessage', () => {
  it('gives each link error of the API its own title, never the generic one', () => {
    const titles = API_CODES.map((code) => linkMessage(new CofferApiError(400, receivedCode(code), 'x')).title);
    expect(titles).not.toContain('Something went wrong');
    expect(new Set(titles).size).toBe(API_CODES.length);
  });

  it('names a tampered link, a cut link, a failed integrity check and an unreachable server', () => {
    expect(linkMessage(new DecryptionFailed()).title).toBe('This link does not open the file');
    expect(linkMessage(new InvalidLinkUrl()).title).toBe('This link is incomplete');
    expect(linkMessage(new IntegrityMismatchError('doc', 1)).title).toBe('The file failed its integrity check');
    expect(linkMessage(new ServerUnreachableError('http://x')).retry).toBe(true);
    expect(linkMessage(new StorageError(0, 'reset')).title).toBe('The download failed');
    expect(linkMessage(new TypeError('Failed to fetch')).title).toBe('The connection dropped');
    expect(linkMessage(new CofferError('DOWNLOAD_UNSUPPORTED', 'x')).title).toBe('This browser cannot save the file');
  });

  it('says when a locked link opens again', () => {
    const message = linkMessage(new CofferApiError(429, 'LINK_LOCKED', 'locked', { lockedUntil: '2026-12-08T10:00:00.000Z' }));
    expect(message.detail).toMatch(/opens again after .*2026/);
  });

  it('treats any 5xx as the server having a problem, with a retry', () => {
    expect(linkMessage(new CofferApiError(503, 'SERVICE_UNAVAILABLE', 'busy'))).toMatchObject({ title: 'Coffer had a problem', retry: true });
    expect(linkMessage(new CofferApiError(502, receivedCode('BAD_GATEWAY'), 'x')).title).toBe('Coffer had a problem');
  });

  it('shows an unknown error by its code, and a non-Coffer one without its text', () => {
    expect(linkMessage(new CofferError(receivedCode('ODD'), 'An odd thing.')).detail).toBe('An odd thing. (ODD)');
    expect(linkMessage(new Error('secret-ish internals')).detail).not.toContain('secret-ish');
  });
});

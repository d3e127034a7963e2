import { describe, expect, it } from 'vitest';
import { linkSettingsFrom, type LinkFormValues } from '../../../client/web/src/shareLinks/linkSettingsFrom.js';

const now = new Date('2026-12-08T10:00:00Z');
const form = (values: Partial<LinkFormValues> = {}): LinkFormValues => ({
  password: '',
  expires: '2026-12-15T10:00',
  maxDownloads: '',
  audience: 'anyone',
  users: '',
  viewOnly: false,
  ...values,
});

describe('linkSettingsFrom', () => {
  it('turns the defaults into a download link for anyone, with the expiry as an ISO instant', () => {
    const settings = linkSettingsFrom(form(), now);
    expect(settings).toEqual({ access: 'download', audience: { mode: 'anyone' }, expiresAt: new Date('2026-12-15T10:00').toISOString() });
  });

  it('carries the password, the limit, view-only and named users', () => {
    const settings = linkSettingsFrom(form({ password: ' pw ', maxDownloads: ' 2 ', viewOnly: true, audience: 'users', users: 'bob, carol ,,' }), now);
    expect(settings).toMatchObject({ password: ' pw ', maxDownloads: 2, access: 'view', audience: { mode: 'users', users: ['bob', 'carol'] } });
  });

  it.each([
    ['0', 'Maximum downloads must be a whole number from 1 to 1,000,000 (or empty for no limit).'],
    ['1000001', 'Maximum downloads must be a whole number from 1 to 1,000,000 (or empty for no limit).'],
    ['2.5', 'Maximum downloads must be a whole number from 1 to 1,000,000 (or empty for no limit).'],
    ['-3', 'Maximum downloads must be a whole number from 1 to 1,000,000 (or empty for no limit).'],
  ])('rejects %s downloads', (maxDownloads, message) => {
    expect(() => linkSettingsFrom(form({ maxDownloads }), now)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', message }));
  });

  it('rejects an expiry that is missing, unreadable or not in the future', () => {
    expect(() => linkSettingsFrom(form({ expires: '' }), now)).toThrow('Choose when the link expires.');
    expect(() => linkSettingsFrom(form({ expires: 'soon' }), now)).toThrow('The expiry is not a valid date and time.');
    expect(() => linkSettingsFrom(form({ expires: '2020-01-01T10:00' }), now)).toThrow('The expiry must be in the future.');
  });

  it('rejects a users audience with no user, and an unknown mode', () => {
    expect(() => linkSettingsFrom(form({ audience: 'users', users: ' , ' }), now)).toThrow('Name at least one user id, separated by commas.');
    expect(() => linkSettingsFrom(form({ audience: 'everyone' }), now)).toThrow('Choose who can open the link.');
  });
});

import { ValidationFailed } from '../../../../shared/core/errors/index.js';
import type { LinkSettings } from './linksProtocol.js';

/** The create form's values, as the controls hold them. */
export interface LinkFormValues {
  password: string;
  /** A `datetime-local` value: local time, no zone. */
  expires: string;
  /** Empty for no limit. */
  maxDownloads: string;
  audience: string;
  /** Comma-separated user ids (audience `users` only). */
  users: string;
  viewOnly: boolean;
}

const MAX_DOWNLOADS = 1_000_000;
const MODES = ['anyone', 'signed-in', 'members', 'users'] as const;

/**
 * The form's values as the worker's LinkSettings, or a ValidationFailed whose message the page
 * shows as it is. These checks only spare the person a round trip and an Argon2id: the SDK and
 * the server check everything again (the server's maximum expiry is its own, INVALID_EXPIRY).
 */
export function linkSettingsFrom(form: LinkFormValues, now: Date): LinkSettings {
  const mode = MODES.find((m) => m === form.audience);
  if (!mode) throw new ValidationFailed('Choose who can open the link.');
  const settings: LinkSettings = { access: form.viewOnly ? 'view' : 'download', audience: { mode: 'anyone' } };
  if (mode === 'users') {
    const users = form.users.split(',').map((u) => u.trim()).filter((u) => u.length > 0);
    if (users.length === 0) throw new ValidationFailed('Name at least one user id, separated by commas.');
    settings.audience = { mode, users };
  } else {
    settings.audience = { mode };
  }
  if (form.expires.trim() === '') throw new ValidationFailed('Choose when the link expires.');
  // A datetime-local value without a zone is read in the browser's own zone, as the person typed it.
  const expires = new Date(form.expires);
  if (Number.isNaN(expires.getTime())) throw new ValidationFailed('The expiry is not a valid date and time.');
  if (expires.getTime() <= now.getTime()) throw new ValidationFailed('The expiry must be in the future.');
  settings.expiresAt = expires.toISOString();
  const max = form.maxDownloads.trim();
  if (max !== '') {
    const n = Number(max);
    if (!/^\d+$/.test(max) || !Number.isSafeInteger(n) || n < 1 || n > MAX_DOWNLOADS) {
      throw new ValidationFailed('Maximum downloads must be a whole number from 1 to 1,000,000 (or empty for no limit).');
    }
    settings.maxDownloads = n;
  }
  if (form.password !== '') settings.password = form.password;
  return settings;
}

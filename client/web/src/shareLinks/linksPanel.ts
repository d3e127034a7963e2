import { CofferError } from '../../../../shared/core/errors/index.js';
import type { AccountConnection } from '../account/AccountConnection.js';
import { el } from '../dom.js';
import { confirmDialog } from '../files/dialogs.js';
import { formatInstant } from '../format.js';
import { linkSettingsFrom, type LinkFormValues } from './linkSettingsFrom.js';
import type { LinksResult, LinkSummary } from './linksProtocol.js';

/** What the panel is about: a row of My files. */
export interface LinkedItem {
  nodeId: string;
  kind: 'document' | 'folder';
  name: string;
}

/** The server's default expiry (docs/links.md): the form starts there. */
const DEFAULT_DAYS = 7;

const STATES: Record<LinkSummary['state'], string> = {
  active: 'Active',
  expired: 'Expired',
  exhausted: 'Used up',
  locked: 'Locked (too many wrong passwords)',
  stale: 'Stale (the key changed: make a new link)',
};

const AUDIENCES = [
  { value: 'anyone', label: 'Anyone with the link' },
  { value: 'signed-in', label: 'Signed-in Coffer users' },
  { value: 'members', label: 'Members only (no guests)' },
  { value: 'users', label: 'Only the users I name' },
] as const;

/**
 * The links panel (docs/web.md, "Managing links"): one document's or folder's share links with
 * their state and counters, a revoke with confirmation, and a form that creates one. Every
 * operation is the account worker's (the SDK's createLink, listLinks, revokeLink): the secret,
 * the password's Argon2id and the key wrap happen there. A new link's URL is shown once, in this
 * panel, until it closes; nothing keeps it.
 */
export function openLinksPanel(account: AccountConnection, item: LinkedItem): Promise<void> {
  return new LinksPanel(account, item).open();
}

class LinksPanel {
  private readonly dialog: HTMLDialogElement;
  private readonly status = el('p', { role: 'status', class: 'status', id: 'links-status' });
  private readonly list = el('div', { class: 'links-list' });
  private readonly created = el('div', { class: 'links-created' });

  constructor(
    private readonly account: AccountConnection,
    private readonly item: LinkedItem,
  ) {
    const close = el('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => this.dialog.close());
    this.dialog = el(
      'dialog',
      { 'aria-labelledby': 'links-title', class: 'links-panel' },
      el('h2', { id: 'links-title' }, `Links to “${item.name}”`),
      el(
        'p',
        { class: 'hint' },
        `Anyone with a link’s URL can open this ${item.kind} without an account, within the limits below. The URL carries the key; Coffer never sees it.`,
      ),
      this.created,
      this.status,
      el('h3', {}, 'Existing links'),
      this.list,
      this.form(),
      el('p', { class: 'actions' }, close),
    );
  }

  open(): Promise<void> {
    document.body.append(this.dialog);
    return new Promise((resolve) => {
      this.dialog.addEventListener('close', () => {
        // The URL shown once goes with the panel.
        this.dialog.remove();
        resolve();
      });
      this.dialog.showModal();
      void this.reload();
    });
  }

  private async reload(): Promise<void> {
    this.list.replaceChildren(el('p', { class: 'status' }, 'Loading links…'));
    try {
      const { links } = await this.account.call<Extract<LinksResult, { links: unknown }>>({ op: 'listLinks', nodeId: this.item.nodeId });
      this.list.replaceChildren(this.table(links));
    } catch (error) {
      this.list.replaceChildren();
      this.say(messageOf(error), true);
    }
  }

  private table(links: LinkSummary[]): HTMLElement {
    if (links.length === 0) return el('p', {}, 'No links yet.');
    const head = ['Created', 'State', 'Downloads', 'Expires', 'Who can open', 'Access', 'Password', 'Actions'];
    return el(
      'table',
      { class: 'links' },
      el('caption', {}, 'A revoked link is deleted at once: it leaves this list and its URL stops working.'),
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...links.map((link) => this.row(link))),
    );
  }

  private row(link: LinkSummary): HTMLElement {
    const created = formatInstant(link.createdAt);
    const revoke = el('button', { type: 'button', 'aria-label': `Revoke the link created ${created} (${link.linkId.slice(0, 8)})` }, 'Revoke');
    revoke.addEventListener('click', () => void this.revoke(link, created));
    const state = link.state === 'locked' && link.lockedUntil ? `${STATES.locked} until ${formatInstant(link.lockedUntil)}` : STATES[link.state];
    return el(
      'tr',
      { 'data-link-id': link.linkId },
      el('td', {}, created),
      el('td', { class: `state-${link.state}` }, state),
      el('td', {}, `${link.downloads} / ${link.maxDownloads ?? 'no limit'}`),
      el('td', {}, formatInstant(link.expiresAt)),
      el('td', {}, audienceText(link.audience)),
      el('td', {}, link.access === 'view' ? 'View only' : 'View and download'),
      el('td', {}, link.passwordProtected ? 'Yes' : 'No'),
      el('td', {}, revoke),
    );
  }

  private async revoke(link: LinkSummary, created: string): Promise<void> {
    const sure = await confirmDialog('Revoke this link?', `The link created ${created} stops working at once for everyone who has it. This cannot be undone.`, 'Revoke');
    if (!sure) return;
    this.say('Revoking…');
    try {
      await this.account.call({ op: 'revokeLink', linkId: link.linkId });
    } catch (error) {
      return this.say(messageOf(error), true);
    }
    this.say(`Link revoked: its URL no longer opens “${this.item.name}”.`);
    await this.reload();
  }

  /** The create form: every control labelled, checked here first (a clear message, no request), then by the SDK and the server. */
  private form(): HTMLElement {
    const password = el('input', { id: 'link-new-password', type: 'password', autocomplete: 'new-password', 'aria-describedby': 'link-password-hint' });
    const reveal = el('button', { type: 'button', 'aria-pressed': 'false', 'aria-controls': 'link-new-password' }, 'Show password');
    reveal.addEventListener('click', () => {
      const shown = password.type === 'password';
      password.type = shown ? 'text' : 'password';
      reveal.textContent = shown ? 'Hide password' : 'Show password';
      reveal.setAttribute('aria-pressed', String(shown));
    });
    const expires = el('input', { id: 'link-expires', type: 'datetime-local', required: true });
    expires.value = localInputValue(new Date(Date.now() + DEFAULT_DAYS * 86_400_000));
    const maxDownloads = el('input', { id: 'link-max-downloads', type: 'number', min: '1', max: '1000000', step: '1', inputmode: 'numeric', 'aria-describedby': 'link-max-hint' });
    const audience = el('select', { id: 'link-audience' }, ...AUDIENCES.map((a) => el('option', { value: a.value }, a.label)));
    const users = el('input', { id: 'link-users', type: 'text', autocomplete: 'off', 'aria-describedby': 'link-users-hint' });
    const usersField = el('div', { class: 'stack', hidden: true }, el('label', { for: 'link-users' }, 'User ids'), users, el('p', { class: 'hint', id: 'link-users-hint' }, 'Separated by commas.'));
    audience.addEventListener('change', () => (usersField.hidden = audience.value !== 'users'));
    const viewOnly = el('input', { id: 'link-view-only', type: 'checkbox' });
    const problem = el('p', { class: 'error', role: 'alert', id: 'link-form-problem' });
    const submit = el('button', { type: 'submit', class: 'primary' }, 'Create link');
    const form = el(
      'form',
      { class: 'stack', novalidate: true, 'aria-labelledby': 'link-form-title' },
      el('h3', { id: 'link-form-title' }, 'New link'),
      el('label', { for: 'link-new-password' }, 'Password (optional)'),
      el('div', { class: 'actions' }, password, reveal),
      el('p', { class: 'hint', id: 'link-password-hint' }, 'At least 10 characters and hard to guess (several words). Give it to the recipient separately, not with the link.'),
      el('label', { for: 'link-expires' }, 'Expires'),
      expires,
      el('label', { for: 'link-max-downloads' }, 'Maximum downloads (optional)'),
      maxDownloads,
      el('p', { class: 'hint', id: 'link-max-hint' }, 'From 1 to 1,000,000; empty for no limit.'),
      el('label', { for: 'link-audience' }, 'Who can open it'),
      audience,
      usersField,
      el('p', { class: 'check' }, viewOnly, el('label', { for: 'link-view-only' }, 'View only (no download offered)')),
      problem,
      submit,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      problem.textContent = '';
      const values = { password: password.value, expires: expires.value, maxDownloads: maxDownloads.value, audience: audience.value, users: users.value, viewOnly: viewOnly.checked };
      void this.create(values, () => (password.value = ''), problem, submit);
    });
    return form;
  }

  private async create(values: LinkFormValues, clearPassword: () => void, problem: HTMLElement, submit: HTMLButtonElement): Promise<void> {
    let settings;
    try {
      settings = linkSettingsFrom(values, new Date());
    } catch (error) {
      problem.textContent = messageOf(error);
      return;
    }
    submit.disabled = true;
    // With a password the worker runs Argon2id (about a second): the page stays responsive meanwhile.
    this.say(settings.password !== undefined ? 'Creating the link (deriving the password key)…' : 'Creating the link…');
    let url: string;
    try {
      ({ url } = (await this.account.call<Extract<LinksResult, { createdLink: unknown }>>({ op: 'createLink', nodeId: this.item.nodeId, settings })).createdLink);
    } catch (error) {
      this.say('');
      problem.textContent = messageOf(error);
      return;
    } finally {
      submit.disabled = false;
    }
    clearPassword();
    this.showOnce(url, settings.password !== undefined);
    this.say('Link created.');
    await this.reload();
  }

  /** The URL, once: a read-only field, a Copy button, and why it cannot be shown again. */
  private showOnce(url: string, withPassword: boolean): void {
    const field = el('input', { id: 'link-new-url', type: 'text', readonly: true, 'aria-describedby': 'link-new-url-note', class: 'link-url' });
    field.value = url;
    const copied = el('span', { role: 'status', class: 'status' });
    const copy = el('button', { type: 'button', class: 'primary' }, 'Copy');
    copy.addEventListener('click', () => {
      field.select();
      navigator.clipboard.writeText(url).then(
        () => (copied.textContent = 'Copied.'),
        () => (copied.textContent = 'The browser did not allow copying: the link is selected, press Ctrl+C (⌘C).'),
      );
    });
    this.created.replaceChildren(
      el('h3', {}, 'Your new link'),
      el('label', { for: 'link-new-url' }, 'Link URL'),
      el('div', { class: 'actions' }, field, copy, copied),
      el(
        'p',
        { class: 'once', id: 'link-new-url-note' },
        'Copy it now: this is the only time it is shown. The part after # is the link’s secret (the key to the file); Coffer does not keep it and cannot show it again.',
        withPassword ? ' Send the password by another way than the link.' : '',
      ),
    );
    field.focus();
    field.select();
  }

  private say(message: string, problem = false): void {
    this.status.textContent = message;
    this.status.className = problem ? 'error' : 'status';
    this.status.setAttribute('role', problem ? 'alert' : 'status');
  }
}

function audienceText(audience: LinkSummary['audience']): string {
  if (audience.mode === 'users') return `Only ${audience.users.join(', ')}`;
  return AUDIENCES.find((a) => a.value === audience.mode)?.label ?? audience.mode;
}

/** A `datetime-local` value (local time, to the minute). */
function localInputValue(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** A failure as the person can act on it. */
function messageOf(error: unknown): string {
  if (!(error instanceof CofferError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'CANNOT_SHARE':
    case 'CANNOT_MANAGE':
    case 'GUEST_FORBIDDEN':
    case 'FORBIDDEN':
      return 'You are not allowed to manage links for this item: it takes its owner, a manager, or an editor where the owner lets editors share.';
    case 'INVALID_EXPIRY': {
      // The server names its maximum in seconds: said in days.
      const seconds = /(\d+) seconds/.exec(error.message)?.[1];
      return seconds ? `The expiry must be in the future and at most ${Math.floor(Number(seconds) / 86_400)} days from now.` : error.message;
    }
    case 'UNKNOWN_USERS':
      return `${error.message} Check the user ids.`;
    case 'LINK_NOT_FOUND':
      return 'That link no longer exists: it was revoked or has expired and been cleaned up.';
    case 'SERVER_UNREACHABLE':
      return 'Cannot reach Coffer. Check your connection and try again.';
    default:
      return error.message;
  }
}

import type { KeyStatus } from '../../../sdk/Recipients.js';
import { rank, type Role } from '../../../../shared/core/permissions/levels.js';
import type { AccountConnection } from '../account/AccountConnection.js';
import { el } from '../dom.js';
import { confirmDialog } from '../files/dialogs.js';
import type { NodeKind } from '../files/filesProtocol.js';
import { formatInstant } from '../format.js';
import { expiryFromDate, localDate } from './expiryDate.js';
import { fingerprintText } from './fingerprintText.js';
import { type AccessEntry, type KeyChange, type Level, LEVELS, type NodeAccess, type SharingResult } from './sharingProtocol.js';
import { sharingMessage } from './sharingMessages.js';

export interface ShareTarget {
  nodeId: string;
  kind: NodeKind;
  name: string;
}

/**
 * The share panel (docs/web.md, "Sharing"): who has access, with level, source and expiry; for
 * those who may share, a level change and a revoke (confirmed) per direct grant and a form that
 * looks the recipient up and shows the key fingerprint before anything is shared. A changed key
 * shows both fingerprints and shares nothing until "Accept new key". Every step is a request to
 * the account worker (SharingOps), which holds the keys and the pins.
 */
export function openSharePanel(account: AccountConnection, target: ShareTarget, me: string): Promise<void> {
  return new SharePanel(account, target, me).open();
}

/** What the person looked up and is about to share. */
interface Pending {
  recipient: KeyStatus;
  level: Level;
  expiresAt?: string;
}

class SharePanel {
  private readonly dialog: HTMLDialogElement;
  private readonly status = el('p', { role: 'status', class: 'status', id: 'share-status' });
  private readonly accessArea = el('div', {});
  private readonly addArea = el('div', {});
  private readonly card = el('div', { class: 'recipient', id: 'share-recipient' });
  private access: NodeAccess | undefined;

  constructor(
    private readonly account: AccountConnection,
    private readonly target: ShareTarget,
    private readonly me: string,
  ) {
    const close = el('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => this.dialog.close());
    this.dialog = el(
      'dialog',
      { 'aria-labelledby': 'share-title', class: 'share-panel' },
      el('h2', { id: 'share-title' }, `Share “${target.name}”`),
      this.status,
      this.accessArea,
      this.addArea,
      el('p', { class: 'actions' }, close),
    );
  }

  open(): Promise<void> {
    document.body.append(this.dialog);
    const closed = new Promise<void>((resolve) =>
      this.dialog.addEventListener('close', () => {
        this.dialog.remove();
        resolve();
      }),
    );
    this.dialog.showModal();
    this.say('Loading who has access…');
    void this.reload().then((ok) => ok && this.say(''));
    return closed;
  }

  /** The access list again (after every change); false when it could not be read (the message says why). */
  private async reload(): Promise<boolean> {
    try {
      this.access = (await this.account.call<Extract<SharingResult, { access: NodeAccess }>>({ op: 'access', nodeId: this.target.nodeId })).access;
    } catch (error) {
      this.say(sharingMessage(error), true);
      return false;
    }
    this.accessArea.replaceChildren(this.accessList(this.access));
    if (this.addArea.childElementCount === 0 && this.access.maxLevel) this.addArea.replaceChildren(this.addForm(this.access));
    return true;
  }

  private accessList(access: NodeAccess): HTMLElement {
    return el(
      'section',
      { 'aria-labelledby': 'access-title' },
      el('h3', { id: 'access-title' }, 'Who has access'),
      el(
        'table',
        { class: 'files access' },
        el('caption', {}, access.maxLevel ? 'People and groups with access. You may change or remove the direct ones up to your own level.' : 'People and groups with access.'),
        el(
          'thead',
          {},
          el('tr', {}, ...['Name', 'Level', 'Source', 'Expires', 'Actions'].map((h) => el('th', { scope: 'col' }, h))),
        ),
        el('tbody', {}, ...access.entries.map((entry, i) => this.accessRow(access, entry, i))),
      ),
    );
  }

  private accessRow(access: NodeAccess, entry: AccessEntry, index: number): HTMLElement {
    const who = principalLabel(entry, this.me);
    const source =
      entry.source === 'direct'
        ? 'direct'
        : `from folder ${entry.inheritedFrom?.name !== undefined ? `“${entry.inheritedFrom.name}”` : '(not yours to open)'}`;
    const manageable =
      access.maxLevel !== undefined &&
      entry.source === 'direct' &&
      entry.role !== 'owner' &&
      entry.principalId !== `u:${this.me}` &&
      rank(entry.role as Role) <= rank(access.maxLevel);
    let actions: HTMLElement[] = [];
    if (manageable) {
      const id = `level-${index}`;
      const select = levelSelect(id, access.maxLevel!, entry.role);
      const change = button('Change', () => void this.changeLevel(entry, who, select.value as Level), `Change the level of ${who}`);
      const revoke = button('Revoke', () => void this.revoke(entry, who), `Revoke ${who}`);
      actions = [el('label', { for: id, class: 'visually-hidden' }, `Level for ${who}`), select, change, revoke];
    }
    return el(
      'tr',
      {},
      el('td', {}, who),
      el('td', {}, entry.role),
      el('td', {}, source),
      el('td', {}, entry.expiresAt ? formatInstant(entry.expiresAt) : 'never'),
      el('td', {}, actions.length > 0 && el('div', { class: 'actions' }, ...actions)),
    );
  }

  private addForm(access: NodeAccess): HTMLElement {
    const user = el('input', { id: 'share-user', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
    const group = el(
      'select',
      { id: 'share-group' },
      el('option', { value: '' }, access.groups.length > 0 ? '(none)' : '(you are in no group)'),
      ...access.groups.map((g) => el('option', { value: `g:${g.groupId}` }, g.name)),
    );
    const level = levelSelect('share-level', access.maxLevel!, 'viewer');
    const expiry = el('input', { id: 'share-expiry', type: 'date', min: localDate(new Date()), 'aria-describedby': 'share-expiry-hint' });
    const form = el(
      'form',
      // novalidate: a past date gets this panel's own message, not the browser's bubble.
      { class: 'stack share-form', 'aria-labelledby': 'add-title', novalidate: true },
      el('h3', { id: 'add-title' }, 'Share with someone'),
      el(
        'div',
        { class: 'share-fields' },
        el('div', { class: 'stack' }, el('label', { for: 'share-user' }, 'User id'), user),
        el('div', { class: 'stack' }, el('label', { for: 'share-group' }, 'Or a group you are in'), group),
        el('div', { class: 'stack' }, el('label', { for: 'share-level' }, 'Level'), level),
        el('div', { class: 'stack' }, el('label', { for: 'share-expiry' }, 'Expires on (optional)'), expiry),
      ),
      el('p', { class: 'hint', id: 'share-expiry-hint' }, 'Access ends at the end of the expiry day. The key fingerprint is shown before anything is shared.'),
      el('p', { class: 'actions' }, el('button', { type: 'submit' }, 'Look up')),
      this.card,
      !access.pinsPersist && el('p', { class: 'hint' }, 'This browser does not keep key pins: they are forgotten when this tab closes.'),
    );
    // Anything changed after a look-up: look up again before sharing.
    form.addEventListener('input', () => this.card.replaceChildren());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.lookUp(user.value.trim(), group.value, level.value as Level, expiry.value);
    });
    return form;
  }

  private async lookUp(userId: string, groupPrincipal: string, level: Level, expiryDate: string): Promise<void> {
    this.card.replaceChildren();
    if (userId !== '' && groupPrincipal !== '') return this.say('Give a user id or choose a group, not both.', true);
    if (userId === '' && groupPrincipal === '') return this.say('Type a user id or choose a group.', true);
    if (userId === this.me) return this.say('You already have access: share with someone else.', true);
    let expiresAt: string | undefined;
    if (expiryDate !== '') {
      const expiry = expiryFromDate(expiryDate, new Date());
      if ('problem' in expiry) return this.say(expiry.problem, true);
      expiresAt = expiry.expiresAt;
    }
    this.say('Looking up…');
    try {
      const { recipient } = await this.account.call<Extract<SharingResult, { recipient: KeyStatus }>>({ op: 'recipient', principal: groupPrincipal || userId });
      this.say('');
      this.showRecipient({ recipient, level, ...(expiresAt && { expiresAt }) });
    } catch (error) {
      this.say(sharingMessage(error), true);
    }
  }

  /** The recipient with its fingerprint; a Share button unless its key changed, which must be accepted first. */
  private showRecipient(pending: Pending): void {
    const { recipient } = pending;
    if (recipient.status === 'changed') {
      return this.showKeyChange({ principalId: recipient.principalId, name: recipient.name, pinned: recipient.pinned!, presented: recipient.fingerprint }, pending);
    }
    const who = `${recipient.name} (${shortId(recipient.principalId)})`;
    const note =
      recipient.status === 'pinned'
        ? 'This is the key this browser pinned for them before.'
        : 'First share with this key in this browser: it will be pinned, and a later change will be shown to you. Compare it with them over another channel (in person, by phone) if you can.';
    this.card.replaceChildren(
      el('p', {}, el('strong', {}, who)),
      el('p', {}, 'Key fingerprint: ', el('code', { class: 'fingerprint', id: 'share-fingerprint' }, fingerprintText(recipient.fingerprint))),
      el('p', { class: 'hint' }, note),
      el('p', { class: 'actions' }, button(`Share with ${recipient.name} as ${pending.level}`, () => void this.share(pending), undefined, 'primary')),
    );
  }

  /** Both fingerprints, and nothing shared until the person accepts the new key explicitly. */
  private showKeyChange(change: KeyChange, pending: Pending): void {
    const who = change.name ? `${change.name} (${shortId(change.principalId)})` : shortId(change.principalId);
    const accept = button('Accept new key', () => void this.acceptNewKey(change, pending), `Accept new key for ${who}`, 'primary danger');
    this.card.replaceChildren(
      el(
        'div',
        { role: 'alert', class: 'key-changed' },
        el('p', { class: 'error' }, `The key of ${who} has changed since this browser pinned it. Nothing was shared.`),
        el(
          'dl',
          { class: 'details' },
          el('dt', {}, 'Pinned key'),
          el('dd', {}, el('code', { class: 'fingerprint', id: 'pinned-fingerprint' }, fingerprintText(change.pinned))),
          el('dt', {}, 'New key'),
          el('dd', {}, el('code', { class: 'fingerprint', id: 'new-fingerprint' }, fingerprintText(change.presented))),
        ),
        el(
          'p',
          {},
          'This happens when they registered again, or when someone substitutes their key to read what you share. Compare the new fingerprint with them over another channel (in person, by phone) before accepting it.',
        ),
      ),
      el('p', { class: 'actions' }, accept),
    );
  }

  private async share(pending: Pending): Promise<void> {
    const { recipient, level, expiresAt } = pending;
    this.say(`Sharing with ${recipient.name}…`);
    let result: SharingResult;
    try {
      result = await this.account.call({
        op: 'share',
        nodeId: this.target.nodeId,
        principals: [recipient.principalId],
        level,
        ...(expiresAt && { expiresAt }),
      });
    } catch (error) {
      return this.say(sharingMessage(error), true);
    }
    if ('keyChanged' in result) {
      this.say('');
      return this.showKeyChange(result.keyChanged, pending);
    }
    this.card.replaceChildren();
    await this.reload();
    if ('shared' in result && result.shared.alreadyShared.length > 0) {
      this.say(`${recipient.name} already has direct access: change the level in the list above.`);
    } else {
      this.say(`Shared “${this.target.name}” with ${recipient.name} as ${level}${expiresAt ? ` until ${formatInstant(expiresAt)}` : ''}.`);
    }
  }

  private async acceptNewKey(change: KeyChange, pending: Pending): Promise<void> {
    this.say('Accepting the new key…');
    try {
      await this.account.call({ op: 'acceptNewKey', principalId: change.principalId, fingerprint: change.presented });
    } catch (error) {
      this.card.replaceChildren();
      return this.say(sharingMessage(error), true);
    }
    const accepted: KeyStatus = { principalId: change.principalId, name: pending.recipient.name, fingerprint: change.presented, pinned: change.presented, status: 'pinned' };
    this.showRecipient({ ...pending, recipient: accepted });
    this.say(`New key accepted and pinned for ${pending.recipient.name}. Nothing is shared yet: share when ready.`);
  }

  private async changeLevel(entry: AccessEntry, who: string, level: Level): Promise<void> {
    if (level === entry.role) return this.say(`${who} is already ${level}.`);
    this.say('Changing the level…');
    try {
      await this.account.call({ op: 'changeLevel', nodeId: this.target.nodeId, principalId: entry.principalId, level });
    } catch (error) {
      return this.say(sharingMessage(error), true);
    }
    await this.reload();
    this.say(`${who} is now ${level}.`);
  }

  private async revoke(entry: AccessEntry, who: string): Promise<void> {
    const consequence =
      this.target.kind === 'document'
        ? 'The document gets a new key, so nothing uploaded from now on is readable to them. Copies they already downloaded stay with them.'
        : 'Their access to everything inside the folder ends too, unless it is given there directly.';
    if (!(await confirmDialog('Revoke access?', `Revoke the access of ${who} to “${this.target.name}”? ${consequence}`, 'Revoke'))) return;
    this.say('Revoking…');
    let revoked: Extract<SharingResult, { revoked: unknown }>['revoked'];
    try {
      revoked = (await this.account.call<Extract<SharingResult, { revoked: unknown }>>({ op: 'revoke', nodeId: this.target.nodeId, principalId: entry.principalId })).revoked;
    } catch (error) {
      await this.reload();
      return this.say(sharingMessage(error), true);
    }
    await this.reload();
    if (revoked.revoked.length === 0) return this.say(`${who} had no direct access here any more.`);
    this.say(`${who} no longer has access.${revoked.keyGeneration !== undefined ? ` The document’s key was rotated (generation ${revoked.keyGeneration}).` : ''}`);
  }

  private say(message: string, problem = false): void {
    this.status.textContent = message;
    this.status.className = problem ? 'error' : 'status';
    this.status.setAttribute('role', problem ? 'alert' : 'status');
  }
}

function button(label: string, action: () => void, ariaLabel?: string, className?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', ...(ariaLabel ? { 'aria-label': ariaLabel } : {}), ...(className ? { class: className } : {}) }, label);
  b.addEventListener('click', action);
  return b;
}

function levelSelect(id: string, maxLevel: Level, current: string): HTMLSelectElement {
  const levels = LEVELS.filter((l) => rank(l) <= rank(maxLevel));
  const select = el('select', { id }, ...levels.map((l) => el('option', { value: l }, l)));
  if (levels.includes(current as Level)) select.value = current;
  return select;
}

/** "Bob (bob)", "Team (group)", "you". */
function principalLabel(entry: AccessEntry, me: string): string {
  if (entry.principalId === `u:${me}`) return `${entry.name ?? me} (you)`;
  if (entry.kind === 'group') return `${entry.name ?? 'A group'} (group)`;
  return entry.name !== undefined ? `${entry.name} (${entry.principalId.slice(2)})` : entry.principalId.slice(2);
}

function shortId(principalId: string): string {
  return principalId.startsWith('g:') ? 'group' : principalId.slice(2);
}

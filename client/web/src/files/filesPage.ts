import { CofferError } from '../../../../shared/core/errors/index.js';
import { safeFileName } from '../../../sdk/safeFileName.js';
import type { AccountConnection } from '../account/AccountConnection.js';
import type { Profile } from '../account/accountProtocol.js';
import { saveToDisk } from '../download/saveToDisk.js';
import { el, show } from '../dom.js';
import { fingerprintText } from '../sharing/fingerprintText.js';
import { openSharePanel } from '../sharing/sharePanel.js';
import { formatBytes, formatInstant } from '../format.js';
import { openLinksPanel } from '../shareLinks/linksPanel.js';
import { askText, chooseOne, confirmDialog } from './dialogs.js';
import type { Entry, FilesResult, FolderChoice } from './filesProtocol.js';
import { sortEntries, type SortKey, type SortOrder } from './sortEntries.js';
import { UploadList } from './UploadList.js';

type Section = 'mine' | 'shared';
const SECTION_NAMES: Record<Section, string> = { mine: 'My files', shared: 'Shared with me' };

/**
 * The signed-in app (docs/web.md, "My files"), loaded only after sign-in: My files and Shared
 * with me, folders with breadcrumbs, sorting, uploads, downloads and folder operations. Every
 * operation is a request to the account worker, which holds the keys; this page shows names and
 * numbers, never a key.
 */
export function filesPage(root: HTMLElement, account: AccountConnection, profile: Profile, signedOut: () => void): void {
  document.title = 'My files · Coffer';
  void new FilesPage(root, account, profile, signedOut).open('mine', []);
}

class FilesPage {
  private section: Section = 'mine';
  /** The folders opened from the section's top, outermost first: the breadcrumbs. */
  private trail: { folderId: string; name: string }[] = [];
  private order: SortOrder = { key: 'name', ascending: true };
  private entries: Entry[] = [];
  private readonly uploads: UploadList;
  private readonly status = el('p', { role: 'status', class: 'status' });

  constructor(
    private readonly root: HTMLElement,
    private readonly account: AccountConnection,
    private readonly profile: Profile,
    private readonly signedOut: () => void,
  ) {
    this.uploads = new UploadList(account, () => void this.reload());
    // Drop anywhere on the page: into the folder shown (never the browser opening the file).
    root.addEventListener('dragover', (event) => {
      if (this.canUpload()) event.preventDefault();
    });
    root.addEventListener('drop', (event) => {
      if (!this.canUpload()) return;
      event.preventDefault();
      this.upload(Array.from(event.dataTransfer?.files ?? []));
    });
  }

  async open(section: Section, trail: { folderId: string; name: string }[]): Promise<void> {
    this.section = section;
    this.trail = trail;
    this.say('');
    await this.reload();
  }

  private get folderId(): string | undefined {
    return this.trail.at(-1)?.folderId;
  }

  private canUpload(): boolean {
    return this.section === 'mine' || this.trail.length > 0;
  }

  private async reload(): Promise<void> {
    try {
      const folderId = this.folderId;
      if (folderId) {
        this.entries = (await this.account.call<Extract<FilesResult, { children: Entry[] }>>({ op: 'listFolder', folderId })).children;
      } else {
        const listed = await this.account.call<Extract<FilesResult, { mine: Entry[] }>>({ op: 'listRoot' });
        this.entries = this.section === 'mine' ? listed.mine : listed.shared;
      }
    } catch (error) {
      this.entries = [];
      this.render();
      return this.say(messageOf(error), true);
    }
    this.render();
  }

  private render(): void {
    const title = this.trail.at(-1)?.name ?? SECTION_NAMES[this.section];
    document.title = `${title} · Coffer`;
    const focused = document.activeElement instanceof HTMLElement && this.root.contains(document.activeElement) ? document.activeElement.id : '';
    show(
      this.root,
      this.sections(),
      el('h1', {}, title),
      this.breadcrumbs(),
      el('p', { class: 'hint' }, `Signed in as ${this.profile.name} (${this.profile.userId}). Names are decrypted in this browser.`),
      el('p', { class: 'hint' }, 'Your key fingerprint, for people who share with you to compare: ', el('code', { class: 'fingerprint', id: 'own-fingerprint' }, fingerprintText(this.profile.fingerprint))),
      this.toolbar(),
      this.uploads.node,
      this.status,
      this.table(),
      el('p', { class: 'actions' }, this.button('Refresh', () => void this.reload()), this.button('Sign out', () => void this.signOut())),
    );
    // A sort keeps the focus on the column's button rather than jumping to the heading.
    if (focused.startsWith('sort-')) document.getElementById(focused)?.focus();
  }

  private sections(): HTMLElement {
    const tab = (section: Section) => {
      const current = this.section === section && this.trail.length === 0;
      const b = this.button(SECTION_NAMES[section], () => void this.open(section, []));
      if (current) b.setAttribute('aria-current', 'page');
      return b;
    };
    return el('nav', { 'aria-label': 'Sections', class: 'actions sections' }, tab('mine'), tab('shared'));
  }

  private breadcrumbs(): HTMLElement | undefined {
    if (this.trail.length === 0) return undefined;
    const crumbs = [{ label: SECTION_NAMES[this.section], trail: [] as typeof this.trail }, ...this.trail.map((f, i) => ({ label: f.name, trail: this.trail.slice(0, i + 1) }))];
    return el(
      'nav',
      { 'aria-label': 'Breadcrumb', class: 'crumbs' },
      el(
        'ol',
        {},
        ...crumbs.map((crumb, i) =>
          i === crumbs.length - 1
            ? el('li', {}, el('span', { 'aria-current': 'page' }, crumb.label))
            : el('li', {}, this.button(crumb.label, () => void this.open(this.section, crumb.trail))),
        ),
      ),
    );
  }

  private toolbar(): HTMLElement | undefined {
    if (!this.canUpload()) return undefined;
    const picker = el('input', { type: 'file', id: 'upload-files', multiple: true, class: 'visually-hidden' });
    picker.addEventListener('change', () => {
      this.upload(Array.from(picker.files ?? []));
      picker.value = '';
    });
    return el(
      'div',
      { class: 'actions toolbar' },
      this.button('New folder', () => void this.newFolder()),
      // The input first: its focus ring is drawn on the label after it (styles.css).
      picker,
      el('label', { for: 'upload-files', class: 'button' }, 'Upload files'),
      el('span', { class: 'hint' }, 'or drop files on this page'),
    );
  }

  private table(): HTMLElement {
    if (this.entries.length === 0) {
      return el('p', {}, this.section === 'shared' && !this.folderId ? 'Nothing is shared with you yet.' : 'Nothing here yet. Upload files or create a folder.');
    }
    const sortable = (key: SortKey, label: string) => {
      const active = this.order.key === key;
      const b = this.button(label, () => {
        this.order = { key, ascending: active ? !this.order.ascending : true };
        this.render();
      });
      b.id = `sort-${key}`;
      b.className = 'sort';
      b.append(el('span', { 'aria-hidden': 'true' }, active ? (this.order.ascending ? ' ▲' : ' ▼') : ''));
      return el('th', { scope: 'col', 'aria-sort': active ? (this.order.ascending ? 'ascending' : 'descending') : 'none' }, b);
    };
    return el(
      'table',
      { class: 'files' },
      el('caption', {}, 'Files and folders, names decrypted in this browser. Sort by a column’s button.'),
      el(
        'thead',
        {},
        el('tr', {}, sortable('name', 'Name'), sortable('size', 'Size'), el('th', { scope: 'col' }, 'Owner'), el('th', { scope: 'col' }, 'Your role'), sortable('date', 'Created'), el('th', { scope: 'col' }, 'Actions')),
      ),
      el('tbody', {}, ...sortEntries(this.entries, this.order).map((entry) => this.row(entry))),
    );
  }

  private row(entry: Entry): HTMLElement {
    const name = entry.name ?? '(name unreadable)';
    const nameCell =
      entry.kind === 'folder' && entry.name !== undefined
        ? el('td', {}, this.button(name, () => void this.open(this.section, [...this.trail, { folderId: entry.nodeId, name }]), 'link'))
        : el('td', {}, name);
    const owner = entry.ownerId === this.profile.userId;
    const canEdit = owner || entry.role === 'editor';
    const actions = el(
      'td',
      { class: 'actions' },
      entry.kind === 'document' && this.button('Download', () => void this.download(entry, name), undefined, `Download ${name}`),
      canEdit && this.button('Rename', () => void this.rename(entry, name), undefined, `Rename ${name}`),
      // Editors may share unless the owner turned that off: the panel then shows the list only.
      ['owner', 'manager', 'editor'].includes(entry.role) &&
        this.button('Share…', () => void openSharePanel(this.account, { nodeId: entry.nodeId, kind: entry.kind, name }, this.profile.userId), undefined, `Share ${name}`),
      owner && this.button('Move', () => void this.move(entry, name), undefined, `Move ${name}`),
      owner && this.button('Delete', () => void this.remove(entry, name), undefined, `Delete ${name}`),
      // Links need `share` (owner, manager; an editor only where the owner allows it: the panel then says so).
      (owner || entry.role === 'manager' || entry.role === 'editor') &&
        this.button('Links…', () => void openLinksPanel(this.account, { nodeId: entry.nodeId, kind: entry.kind, name }), undefined, `Links to ${name}`),
    );
    return el(
      'tr',
      {},
      nameCell,
      el('td', {}, entry.kind === 'folder' ? 'folder' : formatBytes(entry.size)),
      el('td', {}, entry.ownerId),
      el('td', {}, entry.role, entry.via !== undefined && el('span', { class: 'via' }, ` via ${entry.via}`)),
      el('td', {}, formatInstant(entry.createdAt)),
      actions,
    );
  }

  private upload(files: File[]): void {
    if (files.length > 0) this.uploads.add(files, this.folderId);
  }

  private async newFolder(): Promise<void> {
    const name = await askText('New folder', 'Folder name');
    if (name === undefined) return;
    await this.act(`Creating “${name}”…`, { op: 'createFolder', name, ...(this.folderId ? { parent: this.folderId } : {}) }, `Folder “${name}” created.`);
  }

  private async rename(entry: Entry, name: string): Promise<void> {
    const next = await askText(`Rename “${name}”`, 'New name', entry.name ?? '');
    if (next === undefined || next === entry.name) return;
    await this.act('Renaming…', { op: 'rename', nodeId: entry.nodeId, name: next }, `Renamed to “${next}”.`);
  }

  private async move(entry: Entry, name: string): Promise<void> {
    this.say('Finding folders…');
    let choices: FolderChoice[];
    try {
      choices = (await this.account.call<{ choices: FolderChoice[] }>({ op: 'folderChoices', exclude: entry.nodeId })).choices;
    } catch (error) {
      return this.say(messageOf(error), true);
    }
    this.say('');
    const target = await chooseOne(`Move “${name}”`, 'Destination', [{ value: '', label: 'My files (top level)' }, ...choices.map((c) => ({ value: c.folderId, label: c.label }))], 'Move');
    if (target === undefined) return;
    const parentId = target === '' ? null : target;
    try {
      const first = await this.account.call<{ moved: boolean; gainedPeople: number }>({ op: 'move', nodeId: entry.nodeId, parentId, allowGain: false });
      if (!first.moved) {
        const ok = await confirmDialog('Give more people access?', `Moving “${name}” there gives ${first.gainedPeople} more ${first.gainedPeople === 1 ? 'person' : 'people'} access to it.`, 'Move anyway');
        if (!ok) return this.say('Not moved.');
        await this.account.call({ op: 'move', nodeId: entry.nodeId, parentId, allowGain: true });
      }
    } catch (error) {
      return this.say(messageOf(error), true);
    }
    await this.reload();
    this.say(`Moved “${name}”.`);
  }

  private async remove(entry: Entry, name: string): Promise<void> {
    const what = entry.kind === 'folder' ? `the folder “${name}” and everything in it` : `“${name}”`;
    if (!(await confirmDialog(`Delete ${entry.kind === 'folder' ? 'folder' : 'file'}?`, `Delete ${what} for everyone who has access? This cannot be undone.`, 'Delete'))) return;
    await this.act('Deleting…', { op: 'remove', nodeId: entry.nodeId, kind: entry.kind }, `Deleted “${name}”.`);
  }

  private async download(entry: Entry, name: string): Promise<void> {
    this.say(`Downloading “${name}”…`);
    try {
      const { download } = await this.account.call<Extract<FilesResult, { download: unknown }>>({ op: 'download', documentId: entry.nodeId });
      // The worker decrypts and answers the Service Worker's pulls itself: no chunk passes through this page.
      const { downloadId } = download;
      const source = {
        serve: (port: MessagePort) => this.account.call({ op: 'serveDownload', downloadId, port }, [port]).then(() => undefined),
        abandon: () => void this.account.call({ op: 'abandonDownload', downloadId }).catch(() => undefined),
      };
      await saveToDisk(source, { name: safeFileName(download.name, 'document'), size: download.size });
    } catch (error) {
      return this.say(messageOf(error), true);
    }
    this.say(`Saved “${name}” (${formatBytes(entry.size)}), decrypted and integrity-checked in this browser.`);
  }

  /** One worker request, then the listing again and a message. */
  private async act(working: string, request: Parameters<AccountConnection['call']>[0], done: string): Promise<void> {
    this.say(working);
    try {
      await this.account.call(request);
    } catch (error) {
      return this.say(messageOf(error), true);
    }
    await this.reload();
    this.say(done);
  }

  private async signOut(): Promise<void> {
    await this.account.call({ op: 'logout' }).catch(() => undefined);
    this.signedOut();
  }

  private say(message: string, problem = false): void {
    this.status.textContent = message;
    this.status.className = problem ? 'error' : 'status';
    this.status.setAttribute('role', problem ? 'alert' : 'status');
  }

  private button(label: string, action: () => void, className?: string, ariaLabel?: string): HTMLButtonElement {
    const b = el('button', { type: 'button', ...(className ? { class: className } : {}), ...(ariaLabel ? { 'aria-label': ariaLabel } : {}) }, label);
    b.addEventListener('click', action);
    return b;
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof CofferError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'SERVER_UNREACHABLE':
      return 'Cannot reach Coffer. Check your connection and try again.';
    case 'INTERNAL':
    case 'SERVICE_UNAVAILABLE':
      return 'The server could not answer just now. Try again in a moment.';
    case 'TOO_MANY_REQUESTS':
      return 'Coffer is busy with many requests: try again in a moment.';
    case 'INTEGRITY_MISMATCH':
    case 'DECRYPTION_FAILED':
      return 'The file does not match what was uploaded: it was not saved as complete. Delete any partial download.';
    default:
      return error.message;
  }
}

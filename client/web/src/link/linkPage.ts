import { parseLinkUrl } from '../../../../shared/core/crypto/index.js';
import { CofferError } from '../../../../shared/core/errors/index.js';
import { type LinkContent, linkContentStream } from '../../../sdk/linkContent.js';
import { type LinkedNode, type LinkTransport, openLink, openLinkWith, type OpenedLink } from '../../../sdk/openLink.js';
import type { Profile } from '../account/accountProtocol.js';
import { AccountConnection } from '../account/AccountConnection.js';
import { hasRememberedDevice } from '../account/rememberedDevice.js';
import { safeFileName } from '../../../sdk/safeFileName.js';
import { saveToDisk } from '../download/saveToDisk.js';
import { el, show } from '../dom.js';
import { formatBytes, formatInstant } from '../format.js';
import { readForView, viewable } from '../view/viewContent.js';
import { decryptInWorker } from './decryptInWorker.js';
import { deriveInWorker } from './deriveInWorker.js';
import { linkMessage } from './linkMessages.js';
import { signedInTransport } from './signedInTransport.js';

/**
 * The link page (`/l/<token>#<secret>`), for anyone with the URL and no account. Everything is
 * the SDK's openLink, as `coffer open` uses it: the secret stays in this page (the browser never
 * sends a fragment), the password is turned into a proof here, and the file is decrypted and
 * integrity-checked here before it is saved or shown. Opening a document counts one of the
 * link's downloads, so nothing is opened until the visitor asks.
 */
export function linkPage(root: HTMLElement, href: string): void {
  document.title = 'Shared with you · Coffer';
  try {
    parseLinkUrl(href);
  } catch (error) {
    return showError(root, error, undefined);
  }
  new LinkPage(root, href).intro();
}

class LinkPage {
  /** Where the current transfer reports its bytes (the SDK's onProgress is set once per URL). */
  /** Set once the visitor signed in for a "signed-in" link: the link is then opened as that user. */
  private signedIn: { account: AccountConnection; transport: LinkTransport } | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly href: string,
  ) {}

  intro(): void {
    const open = el('button', { type: 'button', class: 'primary' }, 'Open');
    open.addEventListener('click', () => void this.start());
    show(
      this.root,
      el('h1', {}, 'Someone shared a file with you'),
      el('p', {}, 'It is end-to-end encrypted: it will be decrypted in this browser with the secret in the link. The Coffer server never sees its content, its name or the secret.'),
      el('p', { class: 'hint' }, 'Opening it may use one of the downloads the link allows.'),
      open,
    );
  }

  private async start(password?: string): Promise<void> {
    if (password === undefined) this.busy('Opening the link…');
    else this.checkingPassword();
    let opened: OpenedLink;
    try {
      const options = {
        password: password ?? (() => this.askPassword()),
        // Argon2id in a worker of its own: this page keeps painting (and answering) meanwhile.
        deriveKeys: deriveInWorker,
        // A document comes back unread: a download decrypts in a worker (decryptInWorker), a view here.
        content: 'descriptor' as const,
      };
      opened = this.signedIn ? await openLinkWith(this.signedIn.transport, this.href, options) : await openLink(this.href, options);
    } catch (error) {
      if (error instanceof CofferError && error.code === 'LINK_PASSWORD_WRONG') return this.passwordForm(linkMessage(error).detail);
      if (error instanceof CofferError && error.code === 'LINK_SIGN_IN_REQUIRED' && !this.signedIn) return this.signInToOpen(password);
      return showError(this.root, error, () => this.intro());
    }
    await this.present(opened, undefined);
  }

  /**
   * A link for signed-in users: a remembered device signs in by itself; otherwise the visitor signs
   * in here, in the account worker, and the link opens as that user on this same page.
   */
  private async signInToOpen(password: string | undefined, problem?: string): Promise<void> {
    const account = this.signedIn?.account ?? new AccountConnection();
    const proceed = (profile: Profile) => {
      this.signedIn = { account, transport: signedInTransport(account, location.origin) };
      this.busy(`Signed in as ${profile.name}. Opening the link…`);
      return this.start(password);
    };
    if (problem === undefined && (await hasRememberedDevice())) {
      this.busy('Signing in with this device…');
      const { resumed } = await account.call<{ resumed: Profile | null }>({ op: 'resume' }).catch(() => ({ resumed: null }));
      if (resumed) return proceed(resumed);
    }
    const userId = el('input', { id: 'link-user', type: 'text', name: 'username', autocomplete: 'username', required: true });
    const passphrase = el('input', { id: 'link-passphrase', type: 'password', name: 'passphrase', autocomplete: 'current-password', required: true });
    const form = el(
      'form',
      { class: 'stack' },
      el('label', { for: 'link-user' }, 'User id'),
      userId,
      el('label', { for: 'link-passphrase' }, 'Passphrase'),
      passphrase,
      problem !== undefined && el('p', { class: 'error', role: 'alert' }, problem),
      el('button', { type: 'submit', class: 'primary' }, 'Sign in and open'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.busy('Deriving your keys from the passphrase…');
      account.call<{ profile: Profile }>({ op: 'login', userId: userId.value.trim(), passphrase: passphrase.value, remember: false }).then(
        (r) => proceed(r.profile),
        (error: unknown) =>
          this.signInToOpen(password, error instanceof CofferError && error.code === 'INVALID_CREDENTIALS' ? 'Wrong user id or passphrase.' : linkMessage(error).detail),
      );
    });
    show(
      this.root,
      el('h1', {}, 'Sign in to open this link'),
      el('p', {}, 'Its creator allowed only Coffer users to open it. Sign in here: the link opens on this page as you, and its secret still never leaves this browser.'),
      form,
    );
  }

  /** Asked by the SDK only when the server says the link has a password. */
  private askPassword(): Promise<string> {
    return new Promise((resolve) => this.passwordForm(undefined, resolve));
  }

  private passwordForm(problem: string | undefined, submit: (password: string) => void = (pw) => void this.start(pw)): void {
    const input = el('input', { id: 'link-password', type: 'password', name: 'password', autocomplete: 'off', required: true });
    const form = el(
      'form',
      { class: 'stack' },
      el('label', { for: 'link-password' }, 'Password'),
      input,
      problem !== undefined && el('p', { class: 'error', role: 'alert', id: 'password-problem' }, problem),
      el('button', { type: 'submit', class: 'primary' }, 'Unlock'),
    );
    if (problem !== undefined) input.setAttribute('aria-describedby', 'password-problem');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const password = input.value;
      if (password.length === 0) return;
      this.checkingPassword();
      submit(password);
    });
    show(this.root, el('h1', {}, 'This link has a password'), el('p', {}, 'The person who shared it should have given it to you separately.'), form);
    input.focus();
  }

  private async present(opened: OpenedLink, folder: OpenedLink | undefined): Promise<void> {
    if (opened.node.kind === 'folder') return this.folder(opened);
    const content = opened.content;
    if (!content) return showError(this.root, new CofferError('BAD_RESPONSE', 'The server opened the document without its content.'), () => this.intro());
    return opened.link.access === 'view' ? this.view(opened, content, folder) : this.download(opened, content, folder);
  }

  private async download(opened: OpenedLink, content: LinkContent, folder: OpenedLink | undefined): Promise<void> {
    const { node } = opened;
    const bar = el('progress', { max: String(node.size ?? 0), value: '0', 'aria-label': 'Download progress' });
    const status = el('p', { role: 'status', class: 'status' }, 'Decrypting…');
    show(this.root, el('h1', {}, 'Downloading'), details(opened), bar, status);
    const progress = (bytes: number) => {
      bar.value = bytes;
      status.textContent = `Decrypted ${formatBytes(bytes)}${node.size !== undefined ? ` of ${formatBytes(node.size)}` : ''}…`;
    };
    try {
      await saveToDisk(decryptInWorker(content, progress), { name: safeFileName(node.name, 'document'), ...(node.size !== undefined ? { size: node.size } : {}) });
    } catch (error) {
      return showError(this.root, error, () => this.intro());
    }
    show(
      this.root,
      el('h1', {}, 'Saved'),
      el('p', { role: 'status' }, `${node.name} was decrypted and checked in this browser, and saved to your downloads.`),
      details(opened),
      folder && this.backTo(folder),
    );
  }

  private async view(opened: OpenedLink, linked: LinkContent, folder: OpenedLink | undefined): Promise<void> {
    this.busy('Decrypting…');
    let content;
    try {
      // Shown in this page, so read here (a view is small: readForView caps it).
      const stream = await linkContentStream(linked, (input: string, init?: RequestInit) => fetch(input, init));
      content = viewable(await readForView(stream));
    } catch (error) {
      if (error instanceof CofferError && error.code === 'VIEW_TOO_LARGE') {
        return show(this.root, el('h1', {}, opened.node.name), details(opened), el('p', { class: 'error', role: 'alert' }, 'This view-only file is too large to show in the page.'));
      }
      return showError(this.root, error, () => this.intro());
    }
    let body: HTMLElement;
    if (content.kind === 'image') {
      const url = URL.createObjectURL(new Blob([content.bytes], { type: content.type }));
      body = el('img', { src: url, alt: `The shared image ${opened.node.name}`, class: 'viewed' });
    } else if (content.kind === 'text') {
      body = el('pre', { class: 'viewed', tabindex: '0', 'aria-label': `Content of ${opened.node.name}` }, content.text);
    } else {
      body = el('p', { class: 'error', role: 'alert' }, 'This view-only file is of a kind the page cannot show (only text and images are shown).');
    }
    show(
      this.root,
      el('h1', {}, opened.node.name),
      el('p', { class: 'hint' }, 'View only: the person who shared this chose not to allow downloading it.'),
      details(opened),
      body,
      folder && this.backTo(folder),
    );
  }

  private folder(opened: OpenedLink): void {
    const children = opened.children ?? [];
    const list = el('ul', { class: 'children' });
    for (const child of children) list.append(this.childRow(opened, child));
    const more = opened.cursor
      ? (() => {
          const button = el('button', { type: 'button' }, 'Show more');
          button.addEventListener('click', () => void opened.page(opened.cursor!).then((next) => this.folder(next), (error: unknown) => showError(this.root, error, () => this.intro())));
          return button;
        })()
      : undefined;
    show(this.root, el('h1', {}, opened.node.name), details(opened), children.length === 0 ? el('p', {}, 'This folder is empty.') : list, more);
  }

  private childRow(folder: OpenedLink, child: LinkedNode): HTMLElement {
    const label = child.kind === 'folder' ? 'Open' : folder.link.access === 'view' ? 'View' : 'Download';
    const button = el('button', { type: 'button', 'aria-label': `${label} ${child.name}` }, label);
    button.addEventListener('click', () => {
      this.busy('Opening…');
      folder.open(child.nodeId).then(
        (opened) => this.present(opened, folder),
        (error: unknown) => showError(this.root, error, () => this.intro()),
      );
    });
    return el('li', {}, el('span', { class: 'name' }, child.name), el('span', { class: 'size' }, child.kind === 'folder' ? 'folder' : child.size !== undefined ? formatBytes(child.size) : ''), button);
  }

  private backTo(folder: OpenedLink): HTMLElement {
    const back = el('button', { type: 'button' }, `Back to ${folder.node.name}`);
    back.addEventListener('click', () => this.folder(folder));
    return back;
  }

  private busy(message: string): void {
    show(this.root, el('h1', {}, 'Please wait'), el('p', { role: 'status', class: 'status' }, message));
  }

  /** While the worker derives the password's keys (about a second): a moving bar and the time so far; the page stays responsive. */
  private checkingPassword(): void {
    const elapsed = el('p', { class: 'hint', 'aria-hidden': 'true' }, '0.0 s');
    show(
      this.root,
      el('h1', {}, 'Please wait'),
      el('progress', { 'aria-label': 'Checking the password' }),
      el('p', { role: 'status', class: 'status' }, 'Checking the password…'),
      elapsed,
    );
    const started = performance.now();
    const timer = setInterval(() => {
      // Stops by itself once the page shows anything else.
      if (!elapsed.isConnected) return clearInterval(timer);
      elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    }, 100);
  }
}

/** Name, size, expiry and downloads left, as the link page shows them. */
function details(opened: OpenedLink): HTMLElement {
  const { node, link } = opened;
  const rows: [string, string][] = [['Name', node.name]];
  if (node.size !== undefined) rows.push(['Size', formatBytes(node.size)]);
  rows.push(['Link expires', formatInstant(link.expiresAt)]);
  if (link.downloadsLeft !== undefined) rows.push(['Downloads left', String(link.downloadsLeft)]);
  return el('dl', { class: 'details' }, ...rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

function showError(root: HTMLElement, error: unknown, retry: (() => void) | undefined): void {
  const message = linkMessage(error);
  const again = message.retry && retry ? el('button', { type: 'button' }, 'Try again') : undefined;
  again?.addEventListener('click', retry!);
  show(root, el('h1', {}, message.title), el('p', { role: 'alert', class: 'error' }, message.detail), again);
}

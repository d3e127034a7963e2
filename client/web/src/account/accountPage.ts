import { CofferError } from '../../../../shared/core/errors/index.js';
import { el, show } from '../dom.js';
import type { Profile } from './accountProtocol.js';
import { AccountConnection } from './AccountConnection.js';

/**
 * The root page: sign in, create an account, and "My files" (docs/web.md, "Sign-in"). Every key
 * operation runs in the account worker; this page only shows forms, progress and results.
 */
export function accountPage(root: HTMLElement): void {
  document.title = 'Coffer';
  new AccountPage(root, new AccountConnection()).signIn();
}

class AccountPage {
  constructor(
    private readonly root: HTMLElement,
    private readonly account: AccountConnection,
  ) {}

  signIn(problem?: string): void {
    const userId = field('signin-user', 'User id', 'text', 'username');
    const passphrase = field('signin-passphrase', 'Passphrase', 'password', 'current-password');
    const form = el('form', { class: 'stack' }, ...userId.nodes, ...passphrase.nodes, problemNode(problem), el('button', { type: 'submit', class: 'primary' }, 'Sign in'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.work('Deriving your keys from the passphrase…', () => this.account.call<{ profile: Profile }>({ op: 'login', userId: userId.input.value.trim(), passphrase: passphrase.input.value }), (r) =>
        this.files(r.profile),
        (message) => this.signIn(message),
      );
    });
    const create = el('button', { type: 'button' }, 'Create an account');
    create.addEventListener('click', () => this.register());
    show(
      this.root,
      el('h1', {}, 'Sign in to Coffer'),
      el('p', { class: 'hint' }, 'Your passphrase never leaves this browser: it unlocks your keys here.'),
      form,
      el('p', {}, 'New here? ', create),
      el('p', { class: 'hint' }, 'Received a link? Open it as it was sent to you: no account is needed.'),
    );
  }

  private register(problem?: string): void {
    const userId = field('register-user', 'User id (lower case letters, digits, . _ -)', 'text', 'username');
    const name = field('register-name', 'Your name', 'text', 'name');
    const form = el('form', { class: 'stack' }, ...userId.nodes, ...name.nodes, problemNode(problem), el('button', { type: 'submit', class: 'primary' }, 'Continue'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const details = { userId: userId.input.value.trim(), name: name.input.value.trim() };
      void this.work('Drawing a passphrase…', () => this.account.call<{ passphrase: string }>({ op: 'newPassphrase' }), (r) => this.confirmPassphrase(details, r.passphrase), (m) => this.register(m));
    });
    const back = el('button', { type: 'button' }, 'Back to sign-in');
    back.addEventListener('click', () => this.signIn());
    show(this.root, el('h1', {}, 'Create an account'), form, back);
  }

  /** The generated passphrase, shown once: the account is created only once its owner says it is written down. */
  private confirmPassphrase(details: { userId: string; name: string }, passphrase: string): void {
    const check = el('input', { type: 'checkbox', id: 'written-down', required: true });
    const form = el(
      'form',
      { class: 'stack' },
      el('p', { class: 'passphrase', id: 'new-passphrase' }, passphrase),
      el('p', {}, 'This is your passphrase. Write it down and keep it safe: it is shown only now, and nobody, not even the people who run Coffer, can recover it or your files without it.'),
      el('div', { class: 'check' }, check, el('label', { for: 'written-down' }, 'I have written my passphrase down')),
      el('button', { type: 'submit', class: 'primary' }, 'Create account'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!check.checked) return;
      void this.work(
        'Generating your key pair and deriving your keys (this takes a few seconds)…',
        () => this.account.call<{ profile: Profile }>({ op: 'register', ...details, passphrase }),
        (r) => this.files(r.profile),
        (message) => this.register(message),
      );
    });
    show(this.root, el('h1', {}, 'Your passphrase'), form);
  }

  /** The signed-in app, loaded only now: the sign-in page's JavaScript stays small (docs/web.md). */
  private async files(profile: Profile): Promise<void> {
    try {
      const { filesPage } = await import('../files/filesPage.js');
      filesPage(this.root, this.account, profile, () => this.signIn());
    } catch {
      this.signIn('The page could not load. Reload it and sign in again.');
    }
  }

  /** Runs `task` in the worker while the page shows a ticking progress line: the page stays responsive. */
  private async work<T>(label: string, task: () => Promise<T>, done: (result: T) => void | Promise<void>, failed: (message: string) => void): Promise<void> {
    const status = el('p', { role: 'status', class: 'status' }, label);
    const elapsed = el('p', { class: 'hint', 'aria-hidden': 'true' }, '0.0 s');
    show(this.root, el('h1', {}, 'Please wait'), el('progress', { 'aria-label': label }), status, elapsed);
    const started = performance.now();
    const timer = setInterval(() => (elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`), 100);
    let result: T;
    try {
      result = await task();
    } catch (error) {
      return failed(messageOf(error));
    } finally {
      clearInterval(timer);
    }
    await done(result);
  }
}

function field(id: string, label: string, type: string, autocomplete: string): { input: HTMLInputElement; nodes: HTMLElement[] } {
  const input = el('input', { id, type, name: id, autocomplete, required: true });
  return { input, nodes: [el('label', { for: id }, label), input] };
}

function problemNode(problem: string | undefined): HTMLElement | undefined {
  return problem === undefined ? undefined : el('p', { class: 'error', role: 'alert' }, problem);
}

function messageOf(error: unknown): string {
  if (!(error instanceof CofferError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'Wrong user id or passphrase.';
    case 'SERVER_UNREACHABLE':
      return 'Cannot reach Coffer. Check your connection and try again.';
    default:
      return error.message;
  }
}

import { CofferError } from '../../../../shared/core/errors/index.js';
import { el, show } from '../dom.js';
import type { Profile, Strength } from './accountProtocol.js';
import { AccountConnection } from './AccountConnection.js';
import { hasRememberedDevice } from './rememberedDevice.js';

/**
 * The root page: sign in, create an account, and "My files" (docs/web.md, "Sign-in"). Every key
 * operation runs in the account worker; this page only shows forms, progress and results.
 */
export function accountPage(root: HTMLElement): void {
  document.title = 'Coffer';
  void new AccountPage(root, new AccountConnection()).start();
}

class AccountPage {
  constructor(
    private readonly root: HTMLElement,
    private readonly account: AccountConnection,
  ) {}

  /** A remembered device signs in without the passphrase; otherwise the sign-in form. The worker starts only when needed. */
  async start(): Promise<void> {
    if (!(await hasRememberedDevice())) return this.signIn();
    await this.work(
      'Unlocking Coffer on this device…',
      () => this.account.call<{ resumed: Profile | null }>({ op: 'resume' }),
      (r) => (r.resumed ? this.files(r.resumed) : this.signIn()),
      (message) => this.signIn(message),
    );
  }

  signIn(problem?: string): void {
    const userId = field('signin-user', 'User id', 'text', 'username');
    const passphrase = field('signin-passphrase', 'Passphrase', 'password', 'current-password');
    const remember = el('input', { type: 'checkbox', id: 'remember-device', 'aria-describedby': 'remember-hint' });
    const form = el(
      'form',
      { class: 'stack' },
      ...userId.nodes,
      ...passphrase.nodes,
      el('div', { class: 'check' }, remember, el('label', { for: 'remember-device' }, 'Remember this device')),
      el('p', { class: 'hint', id: 'remember-hint' }, 'Only on a device that is yours alone: this browser keeps your key (which no script can read out) and signs you in without the passphrase until you sign out.'),
      problemNode(problem),
      el('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const request = { op: 'login' as const, userId: userId.input.value.trim(), passphrase: passphrase.input.value, remember: remember.checked };
      void this.work('Deriving your keys from the passphrase…', () => this.account.call<{ profile: Profile }>(request), (r) => this.files(r.profile), (message) => this.signIn(message));
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
      this.generatedPassphrase(details);
    });
    const back = el('button', { type: 'button' }, 'Back to sign-in');
    back.addEventListener('click', () => this.signIn());
    show(this.root, el('h1', {}, 'Create an account'), form, back);
  }

  private generatedPassphrase(details: { userId: string; name: string }): void {
    void this.work('Drawing a passphrase…', () => this.account.call<{ passphrase: string }>({ op: 'newPassphrase' }), (r) => this.confirmPassphrase(details, r.passphrase), (m) => this.register(m));
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
      this.createAccount(details, passphrase, false);
    });
    const own = el('button', { type: 'button' }, 'Choose my own passphrase instead');
    own.addEventListener('click', () => this.ownPassphrase(details));
    show(this.root, el('h1', {}, 'Your passphrase'), form, own);
  }

  /**
   * One's own passphrase, with a live strength meter: the CLI's rule (checkPassphraseStrength),
   * run in the worker, whose zxcvbn dictionaries load on the first keystroke here, never on the
   * sign-in page. The worker checks it again before creating the account.
   */
  private ownPassphrase(details: { userId: string; name: string }, problem?: string): void {
    const passphrase = field('own-passphrase', 'Your passphrase (at least 12 characters; several uncommon words)', 'password', 'new-password');
    const repeat = field('own-passphrase-repeat', 'The same passphrase again', 'password', 'new-password');
    passphrase.input.setAttribute('aria-describedby', 'strength-text');
    const meter = el('meter', { id: 'strength-meter', min: '0', max: '75', low: '50', high: '74', optimum: '75', value: '0', 'aria-label': 'Passphrase strength' });
    const verdict = el('p', { id: 'strength-text', class: 'hint', 'aria-live': 'polite' }, 'Type a passphrase to see how strong it is.');
    let latest: { passphrase: string; strength: Strength } | undefined;
    let asked = 0;
    const measure = async (): Promise<{ passphrase: string; strength: Strength }> => {
      const value = passphrase.input.value;
      if (latest?.passphrase === value) return latest;
      const ticket = ++asked;
      const { strength } = await this.account.call<{ strength: Strength }>({ op: 'strength', passphrase: value, userInputs: [details.userId, details.name, 'coffer'] });
      // Answers may cross: only the one for the latest keystroke is shown.
      if (ticket === asked) {
        latest = { passphrase: value, strength };
        meter.value = Math.min(strength.entropyBits, 75);
        verdict.textContent = strength.ok ? `Strong enough (about ${strength.entropyBits} bits; 75 needed).` : `Not strong enough. ${strength.feedback}`;
      }
      return { passphrase: value, strength };
    };
    passphrase.input.addEventListener('input', () => void measure().catch(() => undefined));
    const form = el('form', { class: 'stack' }, ...passphrase.nodes, meter, verdict, ...repeat.nodes, problemNode(problem), el('button', { type: 'submit', class: 'primary' }, 'Create account'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        const { strength } = await measure();
        if (!strength.ok) return this.ownPassphrase(details, `Passphrase refused. ${strength.feedback}`);
        if (repeat.input.value !== passphrase.input.value) return this.ownPassphrase(details, 'The two passphrases differ.');
        this.createAccount(details, passphrase.input.value, true);
      })().catch((error: unknown) => this.ownPassphrase(details, messageOf(error)));
    });
    const generated = el('button', { type: 'button' }, 'Use a generated passphrase instead');
    generated.addEventListener('click', () => this.generatedPassphrase(details));
    show(
      this.root,
      el('h1', {}, 'Choose your passphrase'),
      el('p', {}, 'Nobody, not even the people who run Coffer, can recover it or your files without it.'),
      form,
      generated,
    );
  }

  private createAccount(details: { userId: string; name: string }, passphrase: string, chosen: boolean): void {
    void this.work(
      'Generating your key pair and deriving your keys (this takes a few seconds)…',
      () => this.account.call<{ profile: Profile }>({ op: 'register', ...details, passphrase, chosen }),
      (r) => this.files(r.profile),
      (message) => (chosen ? this.ownPassphrase(details, message) : this.register(message)),
    );
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

import { el, show } from './dom.js';

/** The root page: what Coffer is, and what the web app does so far (docs/web.md). */
export function homePage(root: HTMLElement): void {
  document.title = 'Coffer';
  show(
    root,
    el('h1', {}, 'Coffer'),
    el('p', {}, 'Zero-knowledge document sharing: files are encrypted and decrypted on your device; the server keeps only ciphertext.'),
    el(
      'p',
      {},
      'Received a Coffer link? Open it as it was sent to you (the whole address, including the part after #): the file is decrypted in this browser, no account needed.',
    ),
    el('p', {}, 'Signing in and managing your files in the browser are coming; for now use the coffer command line (see the README).'),
  );
}

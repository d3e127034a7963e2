import type { LinkKeys, LinkPassword } from '../../../../shared/core/crypto/index.js';
import { CofferError, receivedCode } from '../../../../shared/core/errors/index.js';
import type { DeriveReply, DeriveRequest } from './linkKeysWorker.js';

/**
 * The SDK's openLink `deriveKeys` for the link page: deriveLinkKeys in a module Web Worker of its
 * own (linkKeysWorker.ts), started for this one derivation and ended after it. The page's thread
 * stays free to paint the "Checking the password…" progress meanwhile. A failure comes back as
 * the same code (DECRYPTION_FAILED, VALIDATION_FAILED) deriveLinkKeys would have thrown here.
 */
export function deriveInWorker(secret: string, password: LinkPassword): Promise<LinkKeys> {
  const worker = new Worker(new URL('./linkKeysWorker.ts', import.meta.url), { type: 'module', name: 'coffer-link-keys' });
  return new Promise<LinkKeys>((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent<DeriveReply>) => {
      worker.terminate();
      const reply = event.data;
      if ('error' in reply) reject(new CofferError(receivedCode(reply.error.code), reply.error.message));
      else resolve({ linkKey: reply.linkKey, ...(reply.proof !== undefined ? { proof: reply.proof } : {}) });
    });
    // A worker that cannot start (a policy refusal, a network error) is a message, not a hang.
    worker.addEventListener('error', () => {
      worker.terminate();
      reject(new CofferError('WORKER_FAILED', 'The browser could not start the worker that checks the password. Reload the page.'));
    });
    worker.postMessage({ secret, password: password.password, kdf: password.kdf } satisfies DeriveRequest);
  });
}

import { CofferError, receivedCode } from '../../../../shared/core/errors/index.js';
import type { AccountReply, AccountRequest, AccountResult } from './accountProtocol.js';

/** The page's side of the account worker: one request, one promise. The worker starts on first use. */
export class AccountConnection {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(result: AccountResult): void; reject(error: Error): void }>();

  /** `transfer`: ports (and the like) the request carries, moved to the worker. */
  call<T extends AccountResult>(request: AccountRequest, transfer: Transferable[] = []): Promise<T> {
    const worker = (this.worker ??= this.start());
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (result: AccountResult) => void, reject });
      worker.postMessage({ id, request }, transfer);
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./accountWorker.ts', import.meta.url), { type: 'module', name: 'coffer-account' });
    worker.addEventListener('message', (event: MessageEvent<AccountReply>) => {
      const reply = event.data;
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) waiter.reject(new CofferError(receivedCode(reply.error.code), reply.error.message));
      else waiter.resolve(reply.result);
    });
    // A worker that fails to load (a policy refusal, a network error) fails every waiting request.
    worker.addEventListener('error', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new CofferError('WORKER_FAILED', 'The browser could not start Coffer’s key worker. Reload the page.'));
      this.waiting.clear();
      this.worker = undefined;
    });
    return worker;
  }
}

import { operation } from '../../shared/server/http/Operation.js';

/** Liveness: answers without touching any dependency. */
export const health = operation({
  standalone: true,
  async run() {
    return { body: { status: 'ok', service: 'coffer', time: new Date().toISOString() } };
  },
});

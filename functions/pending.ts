// DEVELOPMENT SCAFFOLD (issue 3 in progress): every use is replaced before the issue is resolved.
import { ServiceUnavailable } from '../shared/errors/index.js';
import { operation } from '../shared/http/Operation.js';

export const pending = operation({
  async run() {
    throw new ServiceUnavailable();
  },
});

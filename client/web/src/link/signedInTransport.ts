import { ApiClient, type FetchLike } from '../../../sdk/ApiClient.js';
import type { LinkTransport } from '../../../sdk/openLink.js';
import type { AccountConnection } from '../account/AccountConnection.js';

/**
 * How the link page opens a link as the signed-in user: the SDK's own openLink runs in the page
 * as for anyone (the secret and the decryption stay here), but its one API call, `POST
 * /links/open`, is made by the account worker with its bearer token, which never reaches the
 * page. The presigned GET needs no token and goes from the page.
 */
export function signedInTransport(account: AccountConnection, origin: string): LinkTransport {
  const relay: FetchLike = async (input, init) => {
    const url = new URL(input);
    // Security check, do not remove: the worker makes this one call for the page, nothing else.
    if (url.origin !== origin || url.pathname !== '/links/open' || init?.method !== 'POST' || typeof init.body !== 'string') {
      throw new TypeError('Only POST /links/open goes through the account worker.');
    }
    const { linkAnswer } = await account.call<{ linkAnswer: { status: number; body: string } }>({ op: 'openLink', body: init.body });
    return new Response(linkAnswer.body, { status: linkAnswer.status, headers: { 'content-type': 'application/json' } });
  };
  return { api: new ApiClient({ baseUrl: origin, fetch: relay }), auth: false, fetch: (input, init) => globalThis.fetch(input, init) };
}

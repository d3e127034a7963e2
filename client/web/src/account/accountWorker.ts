import { checkPassphraseStrength, DEFAULT_KDF, fromBase64Url, generatePassphrase, importPrivateKey } from '../../../../shared/core/crypto/index.js';
import { CofferError } from '../../../../shared/core/errors/index.js';
import { CofferClient } from '../../../sdk/CofferClient.js';
import { CofferApiError } from '../../../sdk/errors.js';
import { FilesOps } from '../files/FilesOps.js';
import { isFilesRequest } from '../files/filesProtocol.js';
import { IndexedDbKeyPinStore } from '../sharing/IndexedDbKeyPinStore.js';
import { SharingOps } from '../sharing/SharingOps.js';
import { isSharingRequest } from '../sharing/sharingProtocol.js';
import { LinksOps } from '../shareLinks/LinksOps.js';
import { isLinksRequest } from '../shareLinks/linksProtocol.js';
import type { AccountReply, AccountRequest, AccountResult } from './accountProtocol.js';
import { forgetDevice, loadRememberedDevice, rememberDevice } from './rememberedDevice.js';

/**
 * The account worker (docs/web.md, "Sign-in"): a module Web Worker that holds the signed-in
 * CofferClient, so Argon2id and RSA key generation never freeze the page, and the private key and
 * the access token live in this worker's memory only (gone with the tab). The refresh token is
 * an HttpOnly cookie (the cookie session): no script, this one included, can read it. With
 * "remember this device" the private key is also kept, as a non-extractable CryptoKey, in
 * IndexedDB (rememberedDevice.ts). The page gets profiles, decrypted listings and error codes,
 * never a key or a token.
 */
// Key pins persist in IndexedDB, per server and signed-in user (sharing/IndexedDbKeyPinStore.ts).
const pins = new IndexedDbKeyPinStore(self.location.origin, async (): Promise<string | undefined> => (await client.session())?.userId);
const client: CofferClient = new CofferClient({ serverUrl: self.location.origin, pinStore: pins, tuning: { accountKdf: DEFAULT_KDF }, session: 'cookie' });

const files = new FilesOps(client);
const sharing = new SharingOps(client, pins);
const links = new LinksOps(client);

async function handle(request: AccountRequest): Promise<AccountResult> {
  if (isFilesRequest(request)) return files.handle(request);
  if (isSharingRequest(request)) return sharing.handle(request);
  if (isLinksRequest(request)) return links.handle(request);
  switch (request.op) {
    case 'newPassphrase':
      return { passphrase: generatePassphrase().passphrase };
    case 'strength':
      return { strength: await checkPassphraseStrength(request.passphrase, request.userInputs) };
    case 'register': {
      // The page's meter is advice; this is the rule (the CLI's), checked where the passphrase is used.
      if (request.chosen) {
        const strength = await checkPassphraseStrength(request.passphrase, [request.userId, request.name, 'coffer']);
        if (!strength.ok) throw new CofferError('WEAK_PASSPHRASE', `Passphrase refused. ${strength.feedback}`);
      }
      await forgetDevice();
      const profile = await client.register({ userId: request.userId, name: request.name, passphrase: request.passphrase });
      return { profile: { userId: profile.userId, name: profile.name, fingerprint: profile.fingerprint } };
    }
    case 'login': {
      const profile = await client.login(request.userId, request.passphrase, { keepCookie: request.remember });
      if (request.remember) await rememberThisDevice();
      else await forgetDevice();
      return { profile: { userId: profile.userId, name: profile.name, fingerprint: profile.fingerprint } };
    }
    case 'resume': {
      const device = await loadRememberedDevice();
      if (!device) return { resumed: null };
      try {
        const profile = await client.resume(device);
        return { resumed: { userId: profile.userId, name: profile.name, fingerprint: profile.fingerprint } };
      } catch (error) {
        // The session is over or the key no longer fits: forget the device, ask for the passphrase.
        if (error instanceof CofferError && (error.code === 'SESSION_EXPIRED' || error.code === 'PRIVATE_KEY_UNREADABLE')) {
          await forgetDevice();
          return { resumed: null };
        }
        throw error;
      }
    }
    case 'openLink':
      return { linkAnswer: await openLinkSignedIn(request.body) };
    case 'logout':
      await forgetDevice();
      await client.logout();
      return { done: true };
  }
}

/**
 * The link page's `POST /links/open` for a "signed-in" link, with this worker's bearer token (the
 * token never reaches the page). The body carries the link token and, if any, the password's
 * proof; never the link's secret, which stays in the page. The answer goes back as the API gave it.
 */
async function openLinkSignedIn(body: string): Promise<{ status: number; body: string }> {
  try {
    return { status: 200, body: JSON.stringify(await client.api.post<unknown>('/links/open', JSON.parse(body) as unknown)) };
  } catch (error) {
    if (!(error instanceof CofferApiError)) throw error;
    return { status: error.status, body: JSON.stringify({ error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } }) };
  }
}

/** Keeps the signed-in private key as a non-extractable CryptoKey: its bytes are dropped here, never stored. */
async function rememberThisDevice(): Promise<void> {
  const session = await client.session();
  if (!session) return;
  const privateKey = await importPrivateKey(fromBase64Url(session.privateKeyPkcs8));
  await rememberDevice({ userId: session.userId, privateKey, publicKeySpki: session.publicKeySpki, fingerprint: session.fingerprint });
}

self.addEventListener('message', (event: MessageEvent<{ id: number; request: AccountRequest }>) => {
  const { id, request } = event.data;
  // Every failure is posted back: an error thrown in a worker would reach the page only as a console line.
  handle(request).then(
    (result) => self.postMessage({ id, result } satisfies AccountReply),
    (error: unknown) =>
      self.postMessage({
        id,
        error: error instanceof CofferError ? { code: error.code, message: error.message } : { code: 'UNEXPECTED', message: 'Something went wrong in the browser.' },
      } satisfies AccountReply),
  );
});

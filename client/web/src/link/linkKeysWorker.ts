import { deriveLinkKeys, type KdfCost } from '../../../../shared/core/crypto/index.js';
import { CofferError } from '../../../../shared/core/errors/index.js';

/** What the link page sends: the URL's secret, the password typed, and the cost the server named. */
export interface DeriveRequest {
  secret: string;
  password: string;
  kdf: KdfCost;
}

export type DeriveReply = { linkKey: Uint8Array; proof: string | undefined } | { error: { code: string; message: string } };

/**
 * A module Web Worker that runs one deriveLinkKeys (docs/links.md, "Link crypto": Argon2id, then
 * HKDF) for the link page, so about a second of Argon2id never stalls the page's thread. It is the
 * SDK's own function, checks included (a cost above MAX_KDF is refused before any work); the page
 * starts one per password and ends it after the answer, which frees Argon2id's memory at once.
 * The link key goes back transferred, so no copy stays here.
 */
self.addEventListener('message', (event: MessageEvent<DeriveRequest>) => {
  const { secret, password, kdf } = event.data;
  deriveLinkKeys(secret, { password, kdf }).then(
    (keys) => self.postMessage({ linkKey: keys.linkKey, proof: keys.proof } satisfies DeriveReply, { transfer: [keys.linkKey.buffer] }),
    (error: unknown) =>
      self.postMessage({
        error: error instanceof CofferError ? { code: error.code, message: error.message } : { code: 'UNEXPECTED', message: 'The password could not be checked in this browser.' },
      } satisfies DeriveReply),
  );
});

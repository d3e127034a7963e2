import { DEFAULT_KDF, generatePassphrase } from '../../../../shared/core/crypto/index.js';
import { CofferError } from '../../../../shared/core/errors/index.js';
import { CofferClient } from '../../../sdk/CofferClient.js';
import { MemoryKeyPinStore } from '../../../sdk/KeyPinStore.js';
import { FilesOps } from '../files/FilesOps.js';
import { isFilesRequest, transferablesOf } from '../files/filesProtocol.js';
import type { AccountReply, AccountRequest, AccountResult, FileRow } from './accountProtocol.js';

/**
 * The account worker (docs/web.md, "Sign-in"): a module Web Worker that holds the signed-in
 * CofferClient, so Argon2id and RSA key generation never freeze the page, and the private key,
 * the access and refresh tokens live in this worker's memory only (gone with the tab). The page
 * gets profiles, decrypted listings and error codes, never a key or a token.
 */
const client = new CofferClient({ serverUrl: self.location.origin, pinStore: new MemoryKeyPinStore(), tuning: { accountKdf: DEFAULT_KDF } });

const files = new FilesOps(client);

async function handle(request: AccountRequest): Promise<AccountResult> {
  if (isFilesRequest(request)) return files.handle(request);
  switch (request.op) {
    case 'newPassphrase':
      return { passphrase: generatePassphrase().passphrase };
    case 'register': {
      const profile = await client.register({ userId: request.userId, name: request.name, passphrase: request.passphrase });
      return { profile: { userId: profile.userId, name: profile.name } };
    }
    case 'login': {
      const profile = await client.login(request.userId, request.passphrase);
      return { profile: { userId: profile.userId, name: profile.name } };
    }
    case 'list': {
      const files: FileRow[] = [];
      for await (const entry of client.listAll()) {
        files.push({ documentId: entry.documentId, kind: entry.kind, name: entry.name, size: entry.size, ownerId: entry.ownerId, role: entry.role, createdAt: entry.createdAt });
      }
      return { files };
    }
    case 'logout':
      await client.logout();
      return { done: true };
  }
}

self.addEventListener('message', (event: MessageEvent<{ id: number; request: AccountRequest }>) => {
  const { id, request } = event.data;
  // Every failure is posted back: an error thrown in a worker would reach the page only as a console line.
  handle(request).then(
    (result) => self.postMessage({ id, result } satisfies AccountReply, { transfer: transferablesOf(result) }),
    (error: unknown) =>
      self.postMessage({
        id,
        error: error instanceof CofferError ? { code: error.code, message: error.message } : { code: 'UNEXPECTED', message: 'Something went wrong in the browser.' },
      } satisfies AccountReply),
  );
});

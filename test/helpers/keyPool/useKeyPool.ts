import { vi } from 'vitest';

/**
 * setupFile: RSA-3072 generation (0.2-1.4 s a pair on a loaded 2-core machine) is replaced by the
 * pre-generated pool (pooledKeyPair.ts) for every caller, the SDK and the CLI in-process included.
 * Files whose subject is key generation opt out with
 * `vi.unmock('<path>/shared/core/crypto/userKeyPair.js')` and generate for real; so do the spawned CLI
 * (its own process) and the seed flow.
 */
vi.mock('../../../shared/core/crypto/userKeyPair.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../shared/core/crypto/userKeyPair.js')>();
  const { pooledKeyPair } = await import('./pooledKeyPair.js');
  return { ...real, generateUserKeyPair: () => pooledKeyPair(real) };
});

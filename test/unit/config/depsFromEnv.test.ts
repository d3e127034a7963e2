import { KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { depsFromEnv } from '../../../shared/server/config/depsFromEnv.js';

const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

describe('depsFromEnv', () => {
  it('wires a least-privilege function that was given no MAC key, data key or bucket', async () => {
    const deps = await depsFromEnv({ TABLE_NAME: 't', SIGNING_KEY_ID: 'sign-key-id', AWS_REGION: 'eu-west-1' });
    await expect(deps.keys.mac(new Uint8Array(8))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(deps.keys.encrypt(new Uint8Array(8), { userId: 'a' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(deps.objects.presignGet('docs/x/v1', 60)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // Refused before any call: KMS never sees a request without a key id.
    expect(kms.calls()).toHaveLength(0);
    expect(deps.keys.signingKeyId()).toBe('sign-key-id');
  });

  it('refuses to start without the table or the signing key', async () => {
    await expect(depsFromEnv({ SIGNING_KEY_ID: 'k' })).rejects.toThrow(/TABLE_NAME/);
    await expect(depsFromEnv({ TABLE_NAME: 't' })).rejects.toThrow(/SIGNING_KEY_ID/);
  });

  it('uses the local keyring when COFFER_KMS=local', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'coffer-keyring-'));
    const deps = await depsFromEnv({ TABLE_NAME: 't', BUCKET_NAME: 'b', COFFER_KMS: 'local', COFFER_KEYRING: join(dir, 'keyring.json') });
    expect((await deps.keys.mac(new Uint8Array(8))).length).toBe(32);
    expect(deps.settings.allowWeakKdf).toBe(false);
  });

  it('reads the longest link lifetime from COFFER_LINK_MAX_TTL_SECONDS, and refuses anything but a positive integer', async () => {
    const base = { TABLE_NAME: 't', SIGNING_KEY_ID: 'k', AWS_REGION: 'eu-west-1' };
    expect((await depsFromEnv(base)).settings.linkMaxTtlSeconds).toBe(90 * 24 * 3600);
    expect((await depsFromEnv({ ...base, COFFER_LINK_MAX_TTL_SECONDS: '86400' })).settings.linkMaxTtlSeconds).toBe(86400);
    for (const bad of ['0', '-5', '1.5', '7d', ' 60', '1e6', '99999999999999999999']) {
      await expect(depsFromEnv({ ...base, COFFER_LINK_MAX_TTL_SECONDS: bad }), bad).rejects.toThrow(/COFFER_LINK_MAX_TTL_SECONDS must be a positive integer/);
    }
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../infra/local/startLocalStack.js';
import { download, register, upload } from '../helpers/actors.js';
import { api } from '../helpers/http.js';

describe('npm start', () => {
  it('keeps users, documents and keys across a restart on the same data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'coffer-data-'));
    try {
      let stack = await startLocalStack({ dataDir, port: 0, quiet: true });
      const alice = await register(stack.url, 'alice');
      const doc = await upload(stack.url, alice, new TextEncoder().encode('persisted'), 'p.txt');
      await stack.stop();

      stack = await startLocalStack({ dataDir, port: 0, quiet: true });
      try {
        // The same keyring signs and verifies: the old access token still verifies after restart.
        expect((await api(stack.url, 'GET', '/users/me', { token: alice.accessToken })).status).toBe(200);
        expect(new TextDecoder().decode(await download(stack.url, alice, doc.documentId))).toBe('persisted');
        expect((await stat(join(dataDir, 'keyring.json'))).mode & 0o077).toBe(0);
      } finally {
        await stack.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('says that Java is missing and how to install it', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      env: { PATH: '/nonexistent', COFFER_IN_MEMORY: '1', HOME: tmpdir() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Java was not found');
    expect(result.stderr).toContain('apt-get install -y openjdk-17-jre-headless');
  }, 35_000);
});

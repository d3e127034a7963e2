import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_KDF, TEST_KDF, fingerprint, generateUserKeyPair, toBase64Url } from '../../../shared/core/crypto/index.js';
import { bytes, sameBytes } from './support/clients.js';
import { FakeCoffer } from './support/FakeCoffer.js';
import { CLI_SERVER, coffer } from './support/runCli.js';
import { COFFER_VERSION } from '../../../client/sdk/cofferVersion.js';

const SERVER = CLI_SERVER;

describe('coffer CLI (in-process, fake server)', () => {
  const server = new FakeCoffer();
  let root: string;
  let aliceHome: string;
  let bobHome: string;

  beforeAll(async () => {
    vi.stubGlobal('fetch', server.fetch);
    root = await mkdtemp(join(tmpdir(), 'coffer-cli-'));
    aliceHome = join(root, 'alice');
    bobHome = join(root, 'bob');
  });

  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('register generates a 7-word passphrase, shows it once with the warning, and logs in', async () => {
    const result = await coffer(aliceHome, ['--json', 'register', '--user', 'alice', '--name', 'Alice']);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ userId: 'alice', name: 'Alice', serverUrl: SERVER, entropyBits: 77 });
    expect(result.json.passphrase.split('-')).toHaveLength(7);
    expect(result.json.warning).toContain('cannot be recovered');
    expect((await stat(join(aliceHome, 'session.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(aliceHome)).mode & 0o777).toBe(0o700);
    expect(server.users.get('alice')!.authKey).not.toContain(result.json.passphrase);
    expect(server.users.get('alice')!.kdf).toMatchObject(DEFAULT_KDF);
  });

  it('register derives with the test KDF only under COFFER_ALLOW_WEAK_KDF=1 (tests)', async () => {
    const result = await coffer(join(root, 'tess'), ['--json', 'register', '--user', 'tess', '--name', 'Tess'], { env: { COFFER_ALLOW_WEAK_KDF: '1' } });
    expect(result.code).toBe(0);
    expect(server.users.get('tess')!.kdf).toMatchObject(TEST_KDF);
  });

  it('register accepts a strong passphrase from stdin and refuses a weak one, explaining why', async () => {
    const weak = await coffer(bobHome, ['--json', 'register', '--user', 'bob', '--passphrase-stdin'], { stdin: 'bob12345\n' });
    expect(weak.code).toBe(2);
    expect(weak.json.error.code).toBe('WEAK_PASSPHRASE');
    expect(weak.json.error.message).toMatch(/^Passphrase refused\. Too short: use at least 12 characters\./);
    expect(server.users.has('bob')).toBe(false);

    const strong = await coffer(bobHome, ['--json', 'register', '--user', 'bob', '--passphrase-stdin'], {
      stdin: 'orbit-velvet-cactus-lantern-mosaic-glacier\n',
    });
    expect(strong.code).toBe(0);
    expect(strong.json).not.toHaveProperty('passphrase');
  });

  it('login with a wrong passphrase exits 3 with INVALID_CREDENTIALS', async () => {
    const result = await coffer(join(root, 'x'), ['--json', 'login', '--user', 'bob'], { env: { COFFER_PASSPHRASE: 'wrong-wrong-wrong' } });
    expect(result.code).toBe(3);
    expect(result.json).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Wrong user id or passphrase.' } });
  });

  it('login reads the passphrase from stdin', async () => {
    const home = join(root, 'bob2');
    const result = await coffer(home, ['--json', 'login', '--user', 'bob', '--passphrase-stdin'], {
      stdin: 'orbit-velvet-cactus-lantern-mosaic-glacier\n',
    });
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ userId: 'bob', serverUrl: SERVER });
  });

  it('says how to log in when there is no session', async () => {
    const result = await coffer(join(root, 'nobody'), ['ls']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('coffer: Not logged in: run `coffer login --user ID`.\n');
    expect(result.stdout).toBe('');
  });

  it('uploads, lists and downloads under a sanitised name, never overwriting without --force', async () => {
    // Prepare
    const file = join(root, 'plain.bin');
    const data = bytes(100_000, 5);
    await writeFile(file, data);
    const out = join(root, 'downloads');
    await mkdir(out);
    // Act
    const up = await coffer(aliceHome, ['--json', 'upload', file, '--share', 'bob', '--name', '../../etc/passwd']);
    const ls = await coffer(bobHome, ['--json', 'ls']);
    const down = await coffer(bobHome, ['--json', 'download', up.json.documentId, '-o', out]);
    const again = await coffer(bobHome, ['--json', 'download', up.json.documentId, '-o', out]);
    const forced = await coffer(bobHome, ['--json', 'download', up.json.documentId, '-o', out, '--force']);
    // Assess
    expect(up.code).toBe(0);
    expect(up.json).toMatchObject({ name: '../../etc/passwd', size: 100_000, sharedWith: ['bob'] });
    expect(ls.json.documents).toEqual([expect.objectContaining({ documentId: up.json.documentId, name: '../../etc/passwd', ownerId: 'alice' })]);
    expect(down.code).toBe(0);
    expect(down.json).toMatchObject({ name: '../../etc/passwd', path: join(out, 'passwd'), size: 100_000 });
    expect(sameBytes(await readFile(join(out, 'passwd')), data)).toBe(true);
    expect(again.code).toBe(7);
    expect(again.json.error).toEqual({
      code: 'FILE_EXISTS',
      message: `${join(out, 'passwd')} already exists: add --force to replace it, or choose another path with -o.`,
      details: { path: join(out, 'passwd') },
    });
    expect(forced.code).toBe(0);
    expect(await readdir(out)).toEqual(['passwd']);
  });

  it('answers an unknown document with exit 4 and what it means', async () => {
    const result = await coffer(bobHome, ['--json', 'download', 'AAAAAAAAAAAAAAAAAAAAAA']);
    expect(result.code).toBe(4);
    expect(result.json.error).toEqual({ code: 'DOCUMENT_NOT_FOUND', message: 'No such document, or you have no access to it.' });
  });

  it('refuses a changed key with exit 5 and accepts it with --accept-new-key', async () => {
    const file = join(root, 'k.txt');
    await writeFile(file, 'k');
    const pair = await generateUserKeyPair();
    await server.replaceKey('bob', toBase64Url(pair.publicKeySpki));
    const refused = await coffer(aliceHome, ['--json', 'upload', file, '--share', 'bob']);
    expect(refused.code).toBe(5);
    expect(refused.json.error.code).toBe('KEY_CHANGED');
    expect(refused.json.error.message).toContain('`--accept-new-key bob`');
    const accepted = await coffer(aliceHome, ['--json', 'upload', file, '--share', 'bob', '--accept-new-key', 'bob']);
    expect(accepted.code).toBe(0);
    const pins = JSON.parse(await readFile(join(aliceHome, 'pins.json'), 'utf8'));
    expect(pins.servers[SERVER].bob).toBe(await fingerprint(pair.publicKeySpki));
  });

  it('explains an unreachable server with exit 6', async () => {
    server.intercept(() => {
      throw new TypeError('fetch failed');
    });
    const result = await coffer(aliceHome, ['--json', 'whoami']);
    server.clearInterceptors();
    expect(result.code).toBe(6);
    expect(result.json.error).toEqual({
      code: 'SERVER_UNREACHABLE',
      message: `Cannot reach the Coffer server at ${SERVER}: is \`npm start\` running? Set COFFER_URL or --server.`,
    });
  });

  it('reports usage errors as JSON with exit 2', async () => {
    const result = await coffer(aliceHome, ['--json', 'revoke', 'only-an-id']);
    expect(result.code).toBe(2);
    expect(result.json).toEqual({ error: { code: 'USAGE', message: "missing required argument 'principals'" } });
    const nobody = await coffer(aliceHome, ['--json', 'share', 'only-an-id']);
    expect(nobody.code).toBe(2);
    expect(nobody.json).toEqual({ error: { code: 'USAGE', message: 'Name whom to share with: `coffer share only-an-id --to alice,g:GROUPID`.' } });
  });

  it('--version prints the version; an unknown command prints its "Did you mean" and a one-line hint, not the whole help', async () => {
    const version = await coffer(aliceHome, ['--version']);
    expect([version.code, version.stdout]).toEqual([0, `${COFFER_VERSION}\n`]);
    expect((await coffer(aliceHome, ['--json', '-V'])).json).toEqual({ version: COFFER_VERSION });
    // `--version` after a command is that command's option (download --version N), never the program's
    const download = await coffer(aliceHome, ['--json', 'download', 'AAAAAAAAAAAAAAAAAAAAAA', '--version', '0']);
    expect([download.code, download.json.error.code]).toEqual([2, 'USAGE']);
    const typo = await coffer(aliceHome, ['lss']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe("error: unknown command 'lss'\n(Did you mean ls?)\nRun `coffer help` for the list of commands, `coffer help COMMAND` for one.\n");
    // a command's own usage error still shows that command's (short) help
    const missing = await coffer(aliceHome, ['upload']);
    expect(missing.stderr).toMatch(/^error: missing required argument 'file'\n\nUsage: coffer upload \[options\] <file>/);
  });

  it('refuses a session that belongs to another server', async () => {
    const result = await coffer(aliceHome, ['--json', 'ls'], { env: { COFFER_URL: 'http://127.0.0.1:9999' } });
    expect(result.code).toBe(3);
    expect(result.json.error.code).toBe('OTHER_SERVER');
    expect(result.json.error.message).toContain('`coffer login --user alice --server http://127.0.0.1:9999`');
  });

  it('logout removes the session file', async () => {
    const result = await coffer(aliceHome, ['--json', 'logout']);
    expect(result.json).toMatchObject({ loggedOut: true, userId: 'alice', serverRevoked: true });
    expect(await readdir(aliceHome)).toEqual(['pins.json']);
  });
});

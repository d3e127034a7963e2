import { access, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../helpers/cliRunner.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';
import { pseudoRandomBytes as bytes } from '../helpers/pseudoRandomBytes.js';

/**
 * Share links through the CLI (in-process; the spawned `node client/cli/bin.js` where a test sets
 * the working directory) against the real handlers on
 * DynamoDB Local and s3rver: alice makes links; a profile with no account and no COFFER_URL
 * opens them; bob and carol, logged in, open links limited to an audience.
 */

interface CliOptions {
  stdin?: string;
  env?: Record<string, string>;
  /** No COFFER_URL at all: the link's URL is the only thing naming the server. */
  noServer?: boolean;
  /** The working directory (default: the repository). */
  cwd?: string;
}

let stack: LocalStack;
let root: string;
const homes = { alice: '', bob: '', carol: '', anonymous: '' };

/** Runs the CLI with its own COFFER_HOME (spawned when given a cwd); test accounts and link passwords use the test KDF. */
function cli(home: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, {
    home,
    ...(options.noServer ? {} : { serverUrl: stack.url }),
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

/** `coffer open` as someone with no account, no session and no COFFER_URL. */
const anonymous = (args: string[], options: CliOptions = {}) => cli(homes.anonymous, args, { noServer: true, ...options, env: { COFFER_ALLOW_WEAK_KDF: '', ...options.env } });
const as = (user: 'alice' | 'bob' | 'carol', args: string[], options: CliOptions = {}) => cli(homes[user], args, options);

function json(result: CliResult): any {
  expect(result.stdout, result.stderr).not.toBe('');
  return JSON.parse(result.stdout);
}

function ok(result: CliResult): CliResult {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

/** The secret part of a link URL: no output but `link create`'s may contain it. */
function secretOf(url: string): string {
  return url.slice(url.indexOf('#') + 1);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function createLink(id: string, flags: string[] = [], options: CliOptions = {}): Promise<{ url: string; link: any }> {
  return json(ok(await as('alice', ['--json', 'link', 'create', id, ...flags], options)));
}

async function upload(file: string, flags: string[] = []): Promise<string> {
  return json(ok(await as('alice', ['--json', 'upload', file, ...flags]))).documentId;
}

let documentId: string;
let content: Uint8Array;

beforeAll(async () => {
  stack = await startLocalStack();
  root = await mkdtemp(join(tmpdir(), 'coffer-links-cli-'));
  for (const name of Object.keys(homes) as (keyof typeof homes)[]) homes[name] = join(root, name);
  await Promise.all(
    (['alice', 'bob', 'carol'] as const).map(async (user) => ok(await as(user, ['--json', 'register', '--user', user]))),
  );
  content = bytes(300_000 + 17, 7);
  await writeFile(join(root, 'report.pdf'), content);
  documentId = await upload(join(root, 'report.pdf'));
});

afterAll(async () => {
  await stack?.stop();
});

describe('coffer link / coffer open', () => {
  it('a link with --expires 24h and --max-downloads 2 opens with no account, counts downloads, then is used up', async () => {
    // Prepare
    const before = Date.now();
    const { url, link } = await createLink(documentId, ['--expires', '24h', '--max-downloads', '2']);
    expect(url.startsWith(`${stack.url}/l/`)).toBe(true);
    expect(link).toMatchObject({ nodeId: documentId, maxDownloads: 2, downloads: 0, state: 'active', access: 'download', passwordProtected: false });
    expect(Date.parse(link.expiresAt) - before).toBeGreaterThanOrEqual(24 * 3600_000 - 1000);
    expect(Date.parse(link.expiresAt) - before).toBeLessThanOrEqual(24 * 3600_000 + 60_000);
    const out = join(root, 'anon-out');
    await mkdir(out);

    // Act: someone with no account and no COFFER_URL opens it
    const first = ok(await anonymous(['--json', 'open', url, '-o', join(out, 'out')]));

    // Assess: identical bytes, through a temp file (nothing else left in the directory)
    expect(json(first)).toMatchObject({ linkId: link.linkId, nodeId: documentId, name: 'report.pdf', size: content.length, downloadsLeft: 1 });
    expect((await readFile(join(out, 'out'))).equals(content)).toBe(true);
    expect(await readdir(out)).toEqual(['out']);

    // an existing -o FILE is refused without --force (exit 7) before the link is opened: no download is spent
    const again = await anonymous(['open', url, '-o', join(out, 'out')]);
    expect(again.code).toBe(7);
    expect(again.stderr).toMatch(/already exists: add --force to replace it/);
    let row = json(ok(await as('alice', ['--json', 'link', 'ls', documentId]))).links.find((l: { linkId: string }) => l.linkId === link.linkId);
    expect(row).toMatchObject({ downloads: 1, maxDownloads: 2, accessCount: 1, state: 'active', passwordProtected: false });
    expect(row.lastAccessAt).toEqual(expect.any(String));

    // --force replaces it: the second and last download
    expect(json(ok(await anonymous(['--json', 'open', url, '-o', join(out, 'out'), '--force'])))).toMatchObject({ downloadsLeft: 0 });
    expect((await readFile(join(out, 'out'))).equals(content)).toBe(true);
    expect(await readdir(out)).toEqual(['out']);

    // link ls shows the downloads; neither it nor any error shows the secret
    row = json(ok(await as('alice', ['--json', 'link', 'ls', documentId]))).links.find((l: { linkId: string }) => l.linkId === link.linkId);
    expect(row).toMatchObject({ downloads: 2, maxDownloads: 2, accessCount: 2, state: 'exhausted' });
    const table = ok(await as('alice', ['link', 'ls', documentId])).stdout;
    expect(table).toMatch(/^LINK\s+STATE\s+ACCESS\s+AUDIENCE\s+EXPIRES\s+DOWNLOADS\s+OPENS\s+LAST ACCESS\s+PASSWORD$/m);
    expect(table).toMatch(new RegExp(`^${link.linkId}\\s+exhausted\\s+download\\s+anyone\\s+\\S+ \\S+\\s+2/2\\s+2\\s+\\S+ \\S+\\s+no$`, 'm'));
    expect(table + again.stderr).not.toContain(secretOf(url));

    // the limit is reached: exit 4 with its own message
    const exhausted = await anonymous(['--json', 'open', url, '-o', join(out, 'third')]);
    expect(exhausted.code).toBe(4);
    expect(json(exhausted).error).toEqual({ code: 'LINK_EXHAUSTED', message: 'This link has reached its download limit: ask whoever sent it for a new link.' });
    expect(await exists(join(out, 'third'))).toBe(false);
  }, 30_000);

  it('without -o, saves under the sanitised document name in the current directory', async () => {
    // Prepare
    const file = join(root, 'notes.txt');
    await writeFile(file, 'hello over a link\n');
    const id = await upload(file, ['--name', '../../etc/evil:name.txt']);
    const { url } = await createLink(id);
    const cwd = join(root, 'cwd');
    await mkdir(cwd);
    // Act
    const opened = await anonymous(['open', url], { cwd });
    // Assess
    ok(opened);
    expect(await readFile(join(cwd, 'evil_name.txt'), 'utf8')).toBe('hello over a link\n');
    expect(opened.stdout).toMatch(/^Saved 18 B to .*evil_name\.txt\.\n\(The stored name "\.\.\/\.\.\/etc\/evil:name\.txt" was made safe for this file system\.\)\n$/);
  }, 20_000);

  it('a password link: the right COFFER_LINK_PASSWORD or --password-stdin opens it, a wrong one exits 3, none exits 2', async () => {
    // Prepare: made without --json, the URL alone on its line
    const created = ok(await as('alice', ['link', 'create', documentId, '--password'], { env: { COFFER_LINK_PASSWORD: 'tulip-orbit-42' } }));
    const urls = created.stdout.split('\n').filter((line) => line.includes('/l/'));
    expect(urls).toHaveLength(1);
    const url = urls[0]!.trim();
    expect(created.stdout).toContain('shown only this once');
    expect(created.stdout).toContain('password required');
    const out = join(root, 'pw-out');
    await mkdir(out);

    // Act + Assess: the right password, from the environment and from stdin
    ok(await anonymous(['open', url, '-o', join(out, 'a')], { env: { COFFER_LINK_PASSWORD: 'tulip-orbit-42' } }));
    expect((await readFile(join(out, 'a'))).equals(content)).toBe(true);
    ok(await anonymous(['open', url, '-o', join(out, 'b'), '--password-stdin'], { stdin: 'tulip-orbit-42\n' }));
    expect((await readFile(join(out, 'b'))).equals(content)).toBe(true);

    // a wrong password: exit 3, nothing saved
    const wrong = await anonymous(['--json', 'open', url, '-o', join(out, 'c')], { env: { COFFER_LINK_PASSWORD: 'tulip-orbit-43' } });
    expect(wrong.code).toBe(3);
    expect(json(wrong).error.code).toBe('LINK_PASSWORD_WRONG');
    expect(await exists(join(out, 'c'))).toBe(false);

    // no password and no terminal: a usage error that says how to give it
    const none = await anonymous(['open', url, '-o', join(out, 'd')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('coffer: This link has a password: type it in a terminal, pipe it with --password-stdin, or set COFFER_LINK_PASSWORD.\n');

    // link ls: password yes; nothing printed anywhere carries the secret
    const table = ok(await as('alice', ['link', 'ls', documentId])).stdout;
    expect(table).toMatch(/\byes$/m);
    expect(wrong.stdout + none.stderr + table).not.toContain(secretOf(url));
  }, 25_000);

  it('link revoke: the URL then fails with exit 4', async () => {
    // Prepare
    const { url, link } = await createLink(documentId);
    const out = join(root, 'revoked-out');
    await mkdir(out);
    ok(await anonymous(['open', url, '-o', join(out, 'before')]));
    // Act
    const revoked = json(ok(await as('alice', ['--json', 'link', 'revoke', link.linkId])));
    // Assess
    expect(revoked).toEqual({ linkId: link.linkId, revoked: true });
    const after = await anonymous(['open', url, '-o', join(out, 'after')]);
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/^coffer: No such link: it was revoked, never existed, or what it shared was deleted/);
    expect(await exists(join(out, 'after'))).toBe(false);
    const twice = await as('alice', ['link', 'revoke', link.linkId]);
    expect(twice.code).toBe(4);
    expect(twice.stderr).toBe('coffer: No such link, or you may not revoke it: see the ids with `coffer link ls ID`.\n');
  });

  it('a revoke and a rotation say how many links they made stale; link ls then shows them stale, as opening them answers', async () => {
    // Prepare: a document shared with bob, two live links and one already used up
    await writeFile(join(root, 'stale.txt'), 'stale links');
    const id = await upload(join(root, 'stale.txt'), ['--share', 'bob']);
    const first = await createLink(id);
    const second = await createLink(id, ['--max-downloads', '5']);
    const usedUp = await createLink(id, ['--max-downloads', '1']);
    ok(await anonymous(['open', usedUp.url, '-o', join(root, 'stale-used')]));

    // Act: revoking bob rotates the document's key
    const revoked = ok(await as('alice', ['revoke', id, 'bob']));
    const revokedJson = json(ok(await as('alice', ['--json', 'link', 'ls', id])));

    // Assess: the two live links went stale (the used-up one is not counted again), and the text says how to make new ones
    expect(revoked.stdout).toContain(`2 share links to it are now stale and open nothing: make new ones with \`coffer link create ${id}\``);
    const states = Object.fromEntries(revokedJson.links.map((l: { linkId: string; state: string }) => [l.linkId, l.state]));
    expect(states).toEqual({ [first.link.linkId]: 'stale', [second.link.linkId]: 'stale', [usedUp.link.linkId]: 'exhausted' });
    expect(ok(await as('alice', ['link', 'ls', id])).stdout).toMatch(new RegExp(`^${first.link.linkId}\\s+stale\\s+download`, 'm'));
    const opened = await anonymous(['--json', 'open', first.url, '-o', join(root, 'stale-out')]);
    expect(opened.code).toBe(4);
    expect(json(opened).error.code).toBe('LINK_STALE');

    // Act: a link made after the revoke is active, until a rotation
    const third = await createLink(id);
    expect(third.link.state).toBe('active');
    const rotated = json(ok(await as('alice', ['--json', 'rotate', id, '--key-only'])));
    const rotatedText = ok(await as('alice', ['rotate', id, '--key-only'])).stdout;

    // Assess: the first rotation made the new link stale, the second found nothing left to make stale
    expect(rotated).toMatchObject({ documentId: id, staleLinks: 1 });
    expect(rotatedText).toContain('No share link was affected.');
    const after = json(ok(await as('alice', ['--json', 'link', 'ls', id]))).links.find((l: { linkId: string }) => l.linkId === third.link.linkId);
    expect(after.state).toBe('stale');
  }, 30_000);

  it('open - reads the URL from stdin (out of shell history and ps); stdin then cannot carry the password too', async () => {
    // Prepare
    const { url } = await createLink(documentId);
    const out = join(root, 'stdin-out');
    await mkdir(out);
    // Act
    const opened = await anonymous(['--json', 'open', '-', '-o', join(out, 'copy')], { stdin: `${url}\n` });
    const both = await anonymous(['--json', 'open', '-', '--password-stdin'], { stdin: `${url}\n` });
    const none = await anonymous(['--json', 'open', '-'], { stdin: '' });
    // Assess
    expect(json(ok(opened))).toMatchObject({ nodeId: documentId, name: 'report.pdf', size: content.length });
    expect((await readFile(join(out, 'copy'))).equals(content)).toBe(true);
    expect([both.code, json(both).error.code]).toEqual([2, 'USAGE']);
    expect(json(both).error.message).toContain('set COFFER_LINK_PASSWORD for the password');
    expect([none.code, json(none).error]).toEqual([2, { code: 'USAGE', message: 'No link URL on stdin.' }]);
    expect(both.stderr + both.stdout + none.stdout).not.toContain(secretOf(url));
  });

  it('link create --password refuses a weak password (exit 2, WEAK_LINK_PASSWORD) and makes no link', async () => {
    // Prepare
    const before = json(ok(await as('alice', ['--json', 'link', 'ls', documentId]))).links.length;
    // Act
    const weak = await as('alice', ['--json', 'link', 'create', documentId, '--password'], { env: { COFFER_LINK_PASSWORD: 'hunter2' } });
    // Assess
    expect(weak.code).toBe(2);
    expect(json(weak).error).toMatchObject({ code: 'WEAK_LINK_PASSWORD', message: expect.stringMatching(/^Link password refused\. Too short: use at least 10 characters\./) });
    expect(json(ok(await as('alice', ['--json', 'link', 'ls', documentId]))).links).toHaveLength(before);
  });

  it('a folder link lists its children and --item downloads one', async () => {
    // Prepare: a folder with a sub-folder and two documents
    const folderId = json(ok(await as('alice', ['--json', 'mkdir', 'Board pack']))).folderId;
    ok(await as('alice', ['--json', 'mkdir', 'Archive', '--parent', folderId]));
    const minutes = bytes(50_000, 11);
    await writeFile(join(root, 'minutes.txt'), minutes);
    const childId = await upload(join(root, 'minutes.txt'), ['--parent', folderId]);
    await writeFile(join(root, 'agenda.txt'), 'agenda');
    await upload(join(root, 'agenda.txt'), ['--parent', folderId]);
    const { url } = await createLink(folderId);

    // Act
    const listing = json(ok(await anonymous(['--json', 'open', url])));
    const text = ok(await anonymous(['open', url])).stdout;
    const out = join(root, 'folder-out');
    await mkdir(out);
    const item = json(ok(await anonymous(['--json', 'open', url, '--item', childId, '-o', out])));

    // Assess
    expect(listing.folder).toEqual({ nodeId: folderId, name: 'Board pack' });
    expect(listing.children).toHaveLength(3);
    expect(listing.children).toEqual(
      expect.arrayContaining([
        { nodeId: childId, kind: 'document', name: 'minutes.txt', size: minutes.length },
        expect.objectContaining({ kind: 'document', name: 'agenda.txt', size: 6 }),
        expect.objectContaining({ kind: 'folder', name: 'Archive' }),
      ]),
    );
    expect(text).toMatch(/^KIND\s+SIZE\s+ID\s+NAME$/m);
    expect(text).toMatch(new RegExp(`^document\\s+49 KiB\\s+${childId}\\s+minutes\\.txt$`, 'm'));
    expect(text).toContain('Open one with `coffer open URL --item ID`.');
    expect(item).toMatchObject({ nodeId: childId, name: 'minutes.txt', path: join(out, 'minutes.txt'), size: minutes.length });
    expect((await readFile(join(out, 'minutes.txt'))).equals(minutes)).toBe(true);

    // -o on the folder itself is refused before anything is written
    const folderToFile = await anonymous(['open', url, '-o', join(out, 'folder')]);
    expect(folderToFile.code).toBe(2);
    expect(folderToFile.stderr).toBe('coffer: This is a folder: choose a document in it with --item ID, then -o saves that document.\n');
  }, 30_000);

  it('a view-only link refuses -o and redirected output with exit 3, and writes nothing', async () => {
    // Prepare
    const { url, link } = await createLink(documentId, ['--view-only']);
    expect(link.access).toBe('view');
    const out = join(root, 'view-out');
    await mkdir(out);
    // Act
    const toFile = await anonymous(['open', url, '-o', join(out, 'copy')]);
    const piped = await anonymous(['open', url]);
    // Assess
    expect(toFile.code).toBe(3);
    expect(toFile.stderr).toBe(
      'coffer: This link is view only: its creator did not allow downloads, so it is not saved to a file. Run `coffer open` without -o in a terminal to view it.\n',
    );
    expect(piped.code).toBe(3);
    expect(piped.stdout).toBe('');
    expect(piped.stderr).toBe('coffer: This link is view only: its creator did not allow downloads: it is shown on a terminal only, not redirected or piped.\n');
    expect(await exists(join(out, 'copy'))).toBe(false);
  });

  it('audiences: signed-in links need a session on that server; users: links only their users', async () => {
    // Prepare
    const signedIn = await createLink(documentId, ['--mode', 'signed-in']);
    const forCarol = await createLink(documentId, ['--mode', 'users:carol']);
    expect(forCarol.link.audience).toEqual({ mode: 'users', users: ['carol'] });
    const out = join(root, 'audience-out');
    await mkdir(out);

    // Act + Assess: anonymous is told to log in (exit 3)
    const anon = await anonymous(['open', signedIn.url, '-o', join(out, 'anon')]);
    expect(anon.code).toBe(3);
    expect(anon.stderr).toBe(
      `coffer: This link opens only for signed-in users: log in to ${stack.url} (\`coffer login --user ID --server ${stack.url}\`), then open it again.\n`,
    );

    // bob's profile belongs to this server: his token goes along, even with another COFFER_URL set
    ok(await as('bob', ['open', signedIn.url, '-o', join(out, 'bob')], { env: { COFFER_URL: 'http://127.0.0.1:9' } }));
    expect((await readFile(join(out, 'bob'))).equals(content)).toBe(true);

    // a users: link opens for carol, not for bob
    const bob = await as('bob', ['--json', 'open', forCarol.url, '-o', join(out, 'bob2')]);
    expect(bob.code).toBe(3);
    expect(json(bob).error.code).toBe('LINK_USER_NOT_ALLOWED');
    ok(await as('carol', ['open', forCarol.url, '-o', join(out, 'carol')]));
    expect((await readFile(join(out, 'carol'))).equals(content)).toBe(true);
  }, 20_000);

  it('refuses bad arguments before contacting anyone, without echoing the URL', async () => {
    const secret = 'S'.repeat(43);
    const notALink = await anonymous(['open', `${stack.url}/x/${'T'.repeat(43)}#${secret}`]);
    expect(notALink.code).toBe(2);
    expect(notALink.stderr).not.toContain(secret);
    expect(notALink.stderr).toMatch(/^coffer: This is not a Coffer link/);

    const noSecret = await anonymous(['open', `${stack.url}/l/${'T'.repeat(43)}`]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toBe('coffer: The link has no secret: copy the whole URL, including the part after #.\n');

    for (const [flags, message] of [
      [['--max-downloads', '0'], 'Not a download limit: "0". Use a whole number from 1 to 1,000,000.'],
      [['--mode', 'everyone'], 'Not a link mode: "everyone". Use who may open it: anyone (default), signed-in, members, or users:alice,bob.'],
      [['--expires', '91d'], "A link's expiry must be in the future and within the server's maximum (90 days unless configured otherwise), e.g. --expires 7d."],
    ] as const) {
      const refused = await as('alice', ['link', 'create', documentId, ...flags]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toBe(`coffer: ${message}\n`);
    }
  });
});

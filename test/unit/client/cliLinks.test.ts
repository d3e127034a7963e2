import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tuningFromEnv } from '../../../client/cli/context.js';
import { describeError } from '../../../client/cli/describeError.js';
import { parseExpiry } from '../../../client/cli/expiry.js';
import type { CliIo } from '../../../client/cli/io.js';
import { childTable, createdLinkText, linkTable, type LinkRow } from '../../../client/cli/linkFormat.js';
import { parseAudience, parseMaxDownloads } from '../../../client/cli/linkOptions.js';
import { linkPasswordSource, newLinkPassword } from '../../../client/cli/linkPassword.js';
import { printToTerminal, terminalSafe, viewOnlyRefusal } from '../../../client/cli/viewOnly.js';
import { run } from '../../../client/cli/program.js';
import { CofferApiError } from '../../../client/sdk/errors.js';
import { openLink, type OpenedLink } from '../../../client/sdk/openLink.js';
import { TEST_KDF } from '../../../shared/core/crypto/index.js';
import { CofferError, DecryptionFailed, InvalidLinkUrl, receivedCode } from '../../../shared/core/errors/index.js';

// `coffer open` in-process with the SDK's standalone openLink replaced: what the command does with what it returns.
vi.mock('../../../client/sdk/openLink.js', async (original) => ({ ...(await original<object>()), openLink: vi.fn() }));

/** A fake terminal on stdin: each prompt reads the next line. */
class FakeTty extends EventEmitter {
  readonly isTTY = true;
  constructor(private readonly lines: string[]) {
    super();
  }
  setRawMode(): this {
    return this;
  }
  resume(): this {
    const line = this.lines.shift();
    if (line !== undefined) setImmediate(() => this.emit('data', Buffer.from(`${line}\r`)));
    return this;
  }
  pause(): this {
    return this;
  }
}

function io(options: { env?: Record<string, string>; stdin?: string; tty?: string[] } = {}): CliIo & { err: () => string } {
  let stderr = '';
  const stdin = options.tty
    ? (new FakeTty(options.tty) as unknown as NodeJS.ReadStream)
    : (Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as unknown as NodeJS.ReadStream);
  return {
    stdout: { write: () => true },
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    stdin,
    env: { ...options.env },
    err: () => stderr,
  };
}

async function rejection(promise: Promise<unknown>): Promise<CofferError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: CofferError) => error,
  );
}

function thrown(fn: () => unknown): CofferError {
  try {
    fn();
  } catch (error) {
    return error as CofferError;
  }
  throw new Error('expected a throw');
}

const LINK: LinkRow = {
  linkId: '0123456789abcdef0123456789abcdef',
  nodeKind: 'document',
  state: 'active',
  access: 'download',
  audience: { mode: 'anyone' },
  expiresAt: '2026-03-08T12:00:00.000Z',
  downloads: 1,
  maxDownloads: 2,
  accessCount: 3,
  lastAccessAt: '2026-03-02T09:15:42.000Z',
  passwordProtected: true,
};

describe('parseAudience (--mode)', () => {
  it.each(['anyone', 'signed-in', 'members'] as const)('reads %s', (mode) => {
    expect(parseAudience(mode)).toEqual({ mode });
  });

  it('reads users:alice,bob, dropping u: prefixes, blanks and duplicates', () => {
    expect(parseAudience('users:alice, u:bob,,alice')).toEqual({ mode: 'users', users: ['alice', 'bob'] });
  });

  it.each([
    ['everyone', /^Not a link mode: "everyone"\. Use who may open it/],
    ['users:', /^Name the users who may open the link/],
    ['users:g:AAAAAAAAAAAAAAAAAAAAAA', /^A link cannot be limited to a group/],
    ['users:Alice', /^Not a user id: "Alice"/],
    [`users:${Array.from({ length: 51 }, (_, i) => `user${i}`).join(',')}`, /^A link names at most 50 users, not 51/],
  ])('refuses %j as a usage error', (value, message) => {
    const error = thrown(() => parseAudience(value));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(message);
  });

  it('accepts exactly 50 users', () => {
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
    expect(parseAudience(`users:${users.join(',')}`)).toEqual({ mode: 'users', users });
  });
});

describe('parseMaxDownloads (--max-downloads)', () => {
  it.each([
    ['1', 1],
    [' 2 ', 2],
    ['1000000', 1_000_000],
  ])('reads %j', (value, n) => {
    expect(parseMaxDownloads(value)).toBe(n);
  });

  it.each(['0', '1000001', '1.5', '-1', '1e3', 'ten', ''])('refuses %j', (value) => {
    const error = thrown(() => parseMaxDownloads(value));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe(`Not a download limit: ${JSON.stringify(value)}. Use a whole number from 1 to 1,000,000.`);
  });
});

describe('--expires for links', () => {
  const NOW = Date.parse('2026-03-01T12:00:00.000Z');

  it.each([
    ['24h', '2026-03-02T12:00:00.000Z'],
    ['7d', '2026-03-08T12:00:00.000Z'],
    ['2026-04-01T00:00:00Z', '2026-04-01T00:00:00.000Z'],
  ])('reads %j', (value, iso) => {
    expect(parseExpiry(value, NOW).toISOString()).toBe(iso);
  });
});

describe('link tables', () => {
  it('link ls: id, state, access, audience, expiry, downloads/max, opens, last access, password', () => {
    // Prepare
    const plain: LinkRow = { ...LINK, linkId: 'ffffffffffffffffffffffffffffffff', state: 'exhausted', access: 'view', audience: { mode: 'users', users: ['bob', 'carol'] }, downloads: 0, accessCount: 0, passwordProtected: false };
    delete plain.maxDownloads;
    delete plain.lastAccessAt;
    const locked: LinkRow = { ...LINK, linkId: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', state: 'locked', lockedUntil: '2026-03-02T10:00:00.000Z' };
    // Act
    const text = linkTable([LINK, plain, locked]);
    // Assess
    expect(text.split('\n')).toEqual([
      'LINK                              STATE                           ACCESS     AUDIENCE           EXPIRES            DOWNLOADS  OPENS  LAST ACCESS        PASSWORD',
      '0123456789abcdef0123456789abcdef  active                          download   anyone             2026-03-08 12:00Z  1/2        3      2026-03-02 09:15Z  yes',
      'ffffffffffffffffffffffffffffffff  exhausted                       view only  users: bob, carol  2026-03-08 12:00Z  0          0      -                  no',
      'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee  locked until 2026-03-02 10:00Z  download   anyone             2026-03-08 12:00Z  1/2        3      2026-03-02 09:15Z  yes',
    ]);
  });

  it("a folder link's children: kind, size, id, and the name escaped", () => {
    const text = childTable([
      { nodeId: 'AAAAAAAAAAAAAAAAAAAAAA', kind: 'folder', name: 'Reports' },
      { nodeId: 'BBBBBBBBBBBBBBBBBBBBBB', kind: 'document', name: 'evil\u001b[2Jname\u202etxt.exe', size: 2048 },
    ]);
    expect(text.split('\n')).toEqual([
      'KIND      SIZE     ID                      NAME',
      'folder    -        AAAAAAAAAAAAAAAAAAAAAA  Reports',
      'document  2.0 KiB  BBBBBBBBBBBBBBBBBBBBBB  evil\\x1b[2Jname\\u202etxt.exe',
    ]);
  });

  it('link create prints the URL exactly once, alone on its line, with the expiry and the cannot-be-shown-again warning', () => {
    // Prepare
    const url = `http://127.0.0.1:8787/l/${'T'.repeat(43)}#${'S'.repeat(43)}`;
    // Act
    const lines = createdLinkText(url, LINK, 'DOCUMENTIDxxxxxxxxxxxx').split('\n');
    // Assess
    expect(lines.filter((l) => l.includes('S'.repeat(43)))).toEqual([`    ${url}`]);
    expect(lines[0]).toBe(
      'Link 0123456789abcdef0123456789abcdef to DOCUMENTIDxxxxxxxxxxxx (view and download, anyone with the URL, at most 2 downloads, password required), expires 2026-03-08T12:00:00.000Z:',
    );
    expect(lines.join('\n')).toContain('shown only this once');
    expect(lines.join('\n')).toContain('cannot show it again');
    expect(lines.join('\n')).toContain('coffer link revoke 0123456789abcdef0123456789abcdef');
  });
});

describe('link passwords', () => {
  describe('newLinkPassword (link create --password)', () => {
    it('reads COFFER_LINK_PASSWORD without prompting', async () => {
      const terminal = io({ env: { COFFER_LINK_PASSWORD: 'from-env-velvet-harbor' }, tty: [] });
      await expect(newLinkPassword(terminal)).resolves.toBe('from-env-velvet-harbor');
      expect(terminal.err()).toBe('');
    });

    it('asks twice on a terminal and returns the password when both agree', async () => {
      const terminal = io({ tty: ['correct horse battery', 'correct horse battery'] });
      await expect(newLinkPassword(terminal)).resolves.toBe('correct horse battery');
      expect(terminal.err()).toBe('Link password: \nLink password again: \n');
    });

    it('refuses two different passwords as a usage error', async () => {
      const error = await rejection(newLinkPassword(io({ tty: ['correct horse battery', 'correct horse batteyr'] })));
      expect(error).toMatchObject({ code: 'USAGE', message: 'The two passwords differ: nothing was created. Run the command again.' });
    });

    it('refuses a weak password (WEAK_LINK_PASSWORD) before asking for it again, and from the environment too', async () => {
      const terminal = io({ tty: ['hunter2', 'hunter2'] });
      expect(await rejection(newLinkPassword(terminal))).toMatchObject({ code: 'WEAK_LINK_PASSWORD', message: expect.stringMatching(/^Link password refused\. Too short/) });
      expect(terminal.err()).toBe('Link password: \n');
      expect(await rejection(newLinkPassword(io({ env: { COFFER_LINK_PASSWORD: 'password123' } })))).toMatchObject({ code: 'WEAK_LINK_PASSWORD' });
    });

    it('refuses an empty password', async () => {
      expect(await rejection(newLinkPassword(io({ tty: [''] })))).toMatchObject({ code: 'USAGE', message: 'The link password is empty: nothing was created.' });
    });

    it('without a terminal or COFFER_LINK_PASSWORD, says how to give one', async () => {
      expect(await rejection(newLinkPassword(io({ stdin: 'piped\n' })))).toMatchObject({
        code: 'USAGE',
        message: 'No link password: type it in a terminal, or set COFFER_LINK_PASSWORD.',
      });
    });
  });

  describe('linkPasswordSource (open)', () => {
    it('--password-stdin wins over the environment, and stdin is read once however often it is asked', async () => {
      const source = linkPasswordSource(io({ stdin: 'from-stdin\n', env: { COFFER_LINK_PASSWORD: 'from-env' } }), { fromStdin: true });
      await expect(source()).resolves.toBe('from-stdin');
      await expect(source()).resolves.toBe('from-stdin');
    });

    it('then COFFER_LINK_PASSWORD', async () => {
      await expect(linkPasswordSource(io({ env: { COFFER_LINK_PASSWORD: 'from-env' }, tty: ['typed'] }), { fromStdin: false })()).resolves.toBe('from-env');
    });

    it('then a prompt on a terminal', async () => {
      const terminal = io({ tty: ['typed'] });
      await expect(linkPasswordSource(terminal, { fromStdin: false })()).resolves.toBe('typed');
      expect(terminal.err()).toBe('This link has a password: \n');
    });

    it('else a usage error naming the three ways', async () => {
      expect(await rejection(linkPasswordSource(io({ stdin: 'ignored' }), { fromStdin: false })())).toMatchObject({
        code: 'USAGE',
        message: 'This link has a password: type it in a terminal, pipe it with --password-stdin, or set COFFER_LINK_PASSWORD.',
      });
    });

    it('an empty stdin is a usage error', async () => {
      expect(await rejection(linkPasswordSource(io({ stdin: '\n' }), { fromStdin: true })())).toMatchObject({ code: 'USAGE', message: 'No link password on stdin.' });
    });

    it('is not read at all until asked (a link without a password never touches stdin)', () => {
      const terminal = io({ tty: ['never'] });
      linkPasswordSource(terminal, { fromStdin: false });
      expect(terminal.err()).toBe('');
    });
  });
});

describe('view-only links', () => {
  it.each([
    [{ output: 'out.txt', json: false, stdoutIsTTY: true }, /not saved to a file/],
    [{ json: true, stdoutIsTTY: true }, /not with --json/],
    [{ json: false, stdoutIsTTY: false }, /not redirected or piped/],
  ])('refuses %j with LINK_VIEW_ONLY, exit 3', (flags, message) => {
    const refusal = viewOnlyRefusal(flags)!;
    expect(refusal.code).toBe('LINK_VIEW_ONLY');
    expect(refusal.message).toMatch(message);
    expect(describeError(refusal, { serverUrl: 'http://127.0.0.1:8787', command: 'open' })).toMatchObject({ code: 'LINK_VIEW_ONLY', exitCode: 3, message: refusal.message });
  });

  it('shows it on a terminal', () => {
    expect(viewOnlyRefusal({ json: false, stdoutIsTTY: true })).toBeUndefined();
  });

  it('escapes what a terminal would interpret, keeping lines and tabs', () => {
    expect(terminalSafe('a\tb\nc\r\u001b[31mred\u202e')).toBe('a\tb\nc\\x0d\\x1b[31mred\\u202e');
  });

  it('prints UTF-8 split across chunks intact, ending with a newline', async () => {
    // Prepare
    const bytes = new TextEncoder().encode('héllo\u001b!');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 2)); // splits the é
        controller.enqueue(bytes.slice(2));
        controller.close();
      },
    });
    let out = '';
    // Act
    const n = await printToTerminal(stream, { write: (t: string) => (out += t) });
    // Assess
    expect(out).toBe('héllo\\x1b!\n');
    expect(n).toBe(bytes.length);
  });
});

describe('describeError: share links', () => {
  const ctx = { serverUrl: 'https://coffer.example.com', command: 'open' };
  const api = (status: number, code: string, details?: Record<string, unknown>) => new CofferApiError(status, receivedCode(code), 'server message', details);

  it.each([
    [api(404, 'LINK_NOT_FOUND'), 4, /^No such link: it was revoked, never existed, or what it shared was deleted/],
    [api(410, 'LINK_EXPIRED'), 4, /^This link has expired: ask whoever sent it for a new link\.$/],
    [api(410, 'LINK_EXHAUSTED'), 4, /^This link has reached its download limit/],
    [api(410, 'LINK_STALE'), 4, /^This link no longer opens: the document or folder was given a new key/],
    [api(401, 'LINK_PASSWORD_REQUIRED'), 3, /^This link has a password/],
    [api(401, 'LINK_PASSWORD_WRONG'), 3, /^Wrong link password\./],
    [api(401, 'LINK_SIGN_IN_REQUIRED'), 3, /^This link opens only for signed-in users: log in to https:\/\/coffer\.example\.com/],
    [api(403, 'LINK_MEMBERS_ONLY'), 3, /^This link opens only for members/],
    [api(403, 'LINK_USER_NOT_ALLOWED'), 3, /^This link opens only for the users it names/],
    [api(429, 'LINK_LOCKED', { lockedUntil: '2026-03-01T12:15:00.000Z' }), 3, /locked until 2026-03-01T12:15:00\.000Z\. Try again then/],
    [new InvalidLinkUrl(), 2, /^This is not a Coffer link: expected <server>\/l\/<token>#<secret>, .*\. Copy the whole URL, including the part after #\.$/],
    [new InvalidLinkUrl('The link has no secret: copy the whole URL, including the part after #.'), 2, /^The link has no secret: copy the whole URL, including the part after #\.$/],
    [api(400, 'INVALID_EXPIRY'), 2, /^A link's expiry must be in the future/],
    [api(409, 'KEY_GENERATION_MISMATCH'), 7, /run the command again/],
    [new DecryptionFailed(), 1, /^Decryption failed: the link is incomplete or altered/],
    [new CofferError('SERVER_UNREACHABLE', 'x'), 6, /^Cannot reach the server of this link at https:\/\/coffer\.example\.com/],
  ])('%s -> exit %i', (error, exitCode, message) => {
    const described = describeError(error, ctx);
    expect(described.code).toBe(error.code);
    expect(described.exitCode).toBe(exitCode);
    expect(described.message).toMatch(message);
  });

  it('link revoke: an unknown link points at link ls', () => {
    expect(describeError(api(404, 'LINK_NOT_FOUND'), { ...ctx, command: 'link revoke' })).toMatchObject({
      exitCode: 4,
      message: 'No such link, or you may not revoke it: see the ids with `coffer link ls ID`.',
    });
  });

  it('another 410 is "not found" (4)', () => {
    expect(describeError(api(410, 'SOMETHING_GONE'), ctx).exitCode).toBe(4);
  });
});

describe('tuningFromEnv', () => {
  it('COFFER_ALLOW_WEAK_KDF=1 allows the test KDF at login and derives new accounts and link passwords with TEST_KDF', () => {
    expect(tuningFromEnv({ COFFER_ALLOW_WEAK_KDF: '1' })).toEqual({ allowWeakKdf: true, linkKdf: TEST_KDF, accountKdf: TEST_KDF, partMemory: 16 * 1048592 });
  });

  it('otherwise the SDK defaults hold (DEFAULT_KDF for accounts and links), with one upload part in memory', () => {
    expect(tuningFromEnv({})).toEqual({ allowWeakKdf: false, partMemory: 16 * 1048592 });
  });

  it('COFFER_PART_MEMORY_MIB sets the memory for upload parts; anything but a positive whole number is ignored', () => {
    expect(tuningFromEnv({ COFFER_PART_MEMORY_MIB: '64' })).toMatchObject({ partMemory: 64 * 1024 * 1024 });
    expect(tuningFromEnv({ COFFER_PART_MEMORY_MIB: '-1' })).toMatchObject({ partMemory: 16 * 1048592 });
    expect(tuningFromEnv({ COFFER_PART_MEMORY_MIB: '1.5' })).toMatchObject({ partMemory: 16 * 1048592 });
  });
});

describe('coffer open (in-process, openLink replaced)', () => {
  const URL_ = `http://127.0.0.1:8787/l/${'E'.repeat(43)}#${'Q'.repeat(43)}`; // canonical 32-byte base64url
  const mocked = vi.mocked(openLink);
  const LINK_INFO = { linkId: '0123456789abcdef0123456789abcdef', nodeId: 'FOLDERxxxxxxxxxxxxxxxx', nodeKind: 'folder' as const, access: 'download' as const, expiresAt: '2026-03-08T12:00:00.000Z' };

  function stream(text: string): ReadableStream<Uint8Array> & { cancelled: boolean } {
    const s = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
      cancel() {
        s.cancelled = true;
      },
    }) as ReadableStream<Uint8Array> & { cancelled: boolean };
    s.cancelled = false;
    return s;
  }

  function opened(partial: Partial<OpenedLink>): OpenedLink {
    return {
      link: LINK_INFO,
      node: { nodeId: LINK_INFO.nodeId, kind: 'folder', name: 'Board pack' },
      open: vi.fn(),
      page: vi.fn(),
      ...partial,
    };
  }

  /** The CLI in-process, with no account, no COFFER_URL, and a stdout that may be a terminal. */
  async function open(args: string[], options: { tty?: boolean; cwd?: string } = {}) {
    let stdout = '';
    let stderr = '';
    const home = await mkdtemp(join(tmpdir(), 'coffer-open-'));
    const code = await run(args, {
      stdout: { write: (t: string) => (stdout += t), isTTY: options.tty === true },
      stderr: Object.assign(new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }), { isTTY: false }),
      stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
      env: { COFFER_HOME: home },
    });
    return { code, stdout, stderr };
  }

  beforeEach(() => {
    mocked.mockReset();
  });

  it('lists a folder across every page of its listing', async () => {
    // Prepare
    const second = opened({ children: [{ nodeId: 'CHILD2xxxxxxxxxxxxxxxx', kind: 'folder', name: 'Archive' }] });
    const first = opened({ children: [{ nodeId: 'CHILD1xxxxxxxxxxxxxxxx', kind: 'document', name: 'minutes.txt', size: 10 }], cursor: 'page-2' });
    vi.mocked(first.page).mockResolvedValue(second);
    mocked.mockResolvedValue(first);
    // Act
    const result = await open(['--json', 'open', URL_]);
    // Assess
    expect(result.code, result.stdout).toBe(0);
    expect(first.page).toHaveBeenCalledWith('page-2');
    expect(JSON.parse(result.stdout)).toEqual({
      link: LINK_INFO,
      folder: { nodeId: LINK_INFO.nodeId, name: 'Board pack' },
      children: [
        { nodeId: 'CHILD1xxxxxxxxxxxxxxxx', kind: 'document', name: 'minutes.txt', size: 10 },
        { nodeId: 'CHILD2xxxxxxxxxxxxxxxx', kind: 'folder', name: 'Archive' },
      ],
    });
  });

  it('asks for the password lazily: openLink gets a function, not a value, and stdin is untouched', async () => {
    mocked.mockResolvedValue(opened({ children: [] }));
    await open(['open', URL_]);
    expect(typeof mocked.mock.calls[0]![1]!.password).toBe('function');
  });

  it('--item on a document link is a usage error, and the download is cancelled', async () => {
    // Prepare
    const content = stream('x');
    mocked.mockResolvedValue(opened({ node: { nodeId: 'DOCxxxxxxxxxxxxxxxxxxx', kind: 'document', name: 'a.txt', size: 1 }, stream: content }));
    // Act
    const result = await open(['open', URL_, '--item', 'CHILD1xxxxxxxxxxxxxxxx']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('coffer: This link is to a document, not a folder: open it without --item.\n');
    expect(content.cancelled).toBe(true);
  });

  it('--item opens that child through the folder link', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'coffer-open-item-'));
    const folder = opened({ children: [] });
    vi.mocked(folder.open).mockResolvedValue(
      opened({ node: { nodeId: 'CHILD1xxxxxxxxxxxxxxxx', kind: 'document', name: 'minutes.txt', size: 5 }, stream: stream('notes') }),
    );
    mocked.mockResolvedValue(folder);
    // Act
    const result = await open(['--json', 'open', URL_, '--item', 'CHILD1xxxxxxxxxxxxxxxx', '-o', dir]);
    // Assess
    expect(result.code, result.stdout).toBe(0);
    expect(folder.open).toHaveBeenCalledWith('CHILD1xxxxxxxxxxxxxxxx');
    expect(await readFile(join(dir, 'minutes.txt'), 'utf8')).toBe('notes');
    expect(await readdir(dir)).toEqual(['minutes.txt']);
  });

  it('a view-only document is printed, escaped, when stdout is a terminal', async () => {
    mocked.mockResolvedValue(
      opened({
        link: { ...LINK_INFO, access: 'view' },
        node: { nodeId: 'DOCxxxxxxxxxxxxxxxxxxx', kind: 'document', name: 'a.txt', size: 9 },
        stream: stream('line\u001b[2J\n'),
      }),
    );
    const result = await open(['open', URL_], { tty: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('line\\x1b[2J\n');
  });

  it('a view-only document is refused when stdout is not a terminal, and its stream cancelled', async () => {
    const content = stream('secret text');
    mocked.mockResolvedValue(
      opened({ link: { ...LINK_INFO, access: 'view' }, node: { nodeId: 'DOCxxxxxxxxxxxxxxxxxxx', kind: 'document', name: 'a.txt', size: 11 }, stream: content }),
    );
    const result = await open(['open', URL_]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(content.cancelled).toBe(true);
  });

  it('an existing -o FILE is refused (exit 7) before the link is opened, so no download is spent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-open-exists-'));
    await writeFile(join(dir, 'taken'), 'mine');
    const result = await open(['open', URL_, '-o', join(dir, 'taken')]);
    expect(result.code).toBe(7);
    expect(result.stderr).toBe(`coffer: ${join(dir, 'taken')} already exists: add --force to replace it, or choose another path with -o.\n`);
    expect(mocked).not.toHaveBeenCalled();
    expect(await readFile(join(dir, 'taken'), 'utf8')).toBe('mine');
  });

  it('an invalid URL is a usage error that does not echo it, and nothing is opened', async () => {
    const result = await open(['open', `http://127.0.0.1:8787/x/${'T'.repeat(43)}#${'S'.repeat(43)}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('S'.repeat(43));
    expect(mocked).not.toHaveBeenCalled();
  });
});

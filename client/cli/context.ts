import { CLI_USER_AGENT } from './cliUserAgent.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TEST_KDF } from '../../shared/core/crypto/index.js';
import { CofferError } from '../../shared/core/errors/index.js';
import type { Tuning } from '../sdk/ClientContext.js';
import { CofferClient } from '../sdk/CofferClient.js';
import { FileKeyPinStore } from '../sdk/node/FileKeyPinStore.js';
import { FileSessionStore } from '../sdk/node/FileSessionStore.js';
import type { Session } from '../sdk/Session.js';
import type { CliIo } from './io.js';
import { Output } from './Output.js';

/** `npm start` listens here (infra/local/defaults.ts). */
export const DEFAULT_SERVER = 'http://127.0.0.1:8787';

export interface GlobalOptions {
  server?: string;
  json?: boolean;
}

/**
 * Everything a command needs: the profile directory (COFFER_HOME, default ~/.coffer,
 * holding session.json and pins.json), the server URL, the SDK client and the output.
 * The server is --server, else COFFER_URL, else the one the stored session belongs to,
 * else the local default.
 */
export class CliContext {
  readonly output: Output;
  readonly home: string;
  readonly serverUrl: string;
  readonly session: Session | undefined;
  readonly sessions: FileSessionStore;
  readonly pins: FileKeyPinStore;
  readonly client: CofferClient;
  /** Set by `open` to the server the link names, so that errors name that server. */
  linkServerUrl: string | undefined;
  private readonly tuning: Partial<Tuning>;

  private constructor(io: CliIo, globals: GlobalOptions, home: string, session: Session | undefined, sessions: FileSessionStore) {
    this.output = new Output(globals.json === true, io);
    this.home = home;
    this.session = session;
    this.sessions = sessions;
    this.serverUrl = normaliseServerUrl(globals.server ?? io.env.COFFER_URL ?? session?.serverUrl ?? DEFAULT_SERVER);
    this.pins = new FileKeyPinStore(join(home, 'pins.json'), this.serverUrl);
    this.tuning = tuningFromEnv(io.env);
    this.client = new CofferClient({ serverUrl: this.serverUrl, sessionStore: sessions, pinStore: this.pins, tuning: this.tuning, userAgent: CLI_USER_AGENT });
  }

  static async create(io: CliIo, globals: GlobalOptions): Promise<CliContext> {
    const home = io.env.COFFER_HOME || join(homedir(), '.coffer');
    const sessions = new FileSessionStore(join(home, 'session.json'));
    const session = await sessions.load();
    const ctx = new CliContext(io, globals, home, session, sessions);
    if (!isTransportSafe(ctx.serverUrl)) {
      ctx.output.note(`warning: ${ctx.serverUrl} is plain HTTP to another machine: tokens travel in clear text. Use https.`);
    }
    return ctx;
  }

  /** For commands that act as the logged-in user: the session must belong to this server. */
  requireSession(): Session {
    if (!this.session) throw new CofferError('NOT_LOGGED_IN', 'Not logged in.');
    if (normaliseServerUrl(this.session.serverUrl) !== this.serverUrl) {
      throw new CofferError(
        'OTHER_SERVER',
        `You are logged in to ${this.session.serverUrl}, not ${this.serverUrl}: ` +
          `run \`coffer login --user ${this.session.userId} --server ${this.serverUrl}\`, or use another COFFER_HOME.`,
      );
    }
    return this.session;
  }

  /**
   * A client signed in to `serverUrl` (normalised) when the stored session belongs to that
   * server, whatever --server or COFFER_URL say; otherwise undefined. `open` uses it so a
   * link limited to signed-in users, members or named users opens for its audience, and
   * sends no bearer token to any other server.
   */
  signedInClientFor(serverUrl: string): CofferClient | undefined {
    if (!this.session || normaliseServerUrl(this.session.serverUrl) !== serverUrl) return undefined;
    if (serverUrl === this.serverUrl) return this.client;
    return new CofferClient({
      serverUrl,
      sessionStore: this.sessions,
      pinStore: new FileKeyPinStore(join(this.home, 'pins.json'), serverUrl),
      tuning: this.tuning,
      userAgent: CLI_USER_AGENT,
    });
  }
}

/**
 * COFFER_ALLOW_WEAK_KDF=1 (tests only): accept the test KDF at login, and derive new accounts'
 * passphrases and link passwords with TEST_KDF instead of DEFAULT_KDF (the server refuses that
 * cost unless it runs with the same switch).
 *
 * The CLI holds one upload part in memory (CLI_PART_MEMORY), not the SDK's two: with node,
 * the CLI and the envelope that is what fits its 128 MiB (docs/benchmarks.md, "Large files").
 * COFFER_PART_MEMORY_MIB raises it (parts sent at once: memory / part size, up to 4).
 */
export function tuningFromEnv(env: NodeJS.ProcessEnv): Partial<Tuning> {
  const weak = env.COFFER_ALLOW_WEAK_KDF === '1';
  const mib = Number(env.COFFER_PART_MEMORY_MIB);
  const partMemory = env.COFFER_PART_MEMORY_MIB && Number.isInteger(mib) && mib > 0 ? mib * 1024 * 1024 : CLI_PART_MEMORY;
  return { allowWeakKdf: weak, partMemory, ...(weak && { linkKdf: TEST_KDF, accountKdf: TEST_KDF }) };
}

/** One part of the server's default plan: 16 encrypted chunks (16 MiB + 256 bytes). */
const CLI_PART_MEMORY = 16 * 1048592;

export function normaliseServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CofferError('USAGE', `Not a server URL: ${raw} (expected e.g. ${DEFAULT_SERVER}).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CofferError('USAGE', `The server URL must be http(s): ${raw}.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** https anywhere, or http to this machine only. */
export function isTransportSafe(serverUrl: string): boolean {
  const url = new URL(serverUrl);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

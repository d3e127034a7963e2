import { receivedCode, type ErrorCode } from '../../shared/core/errors/index.js';
import { CofferApiError, ServerUnreachableError } from './errors.js';

/** Supplies bearer tokens; the SessionKeeper implements it. */
export interface TokenProvider {
  /** The access token to send now. */
  accessToken(): Promise<string>;
  /** The server refused `rejected` as expired: return a fresh token (refreshing at most once per token). */
  refreshAfterExpiry(rejected: string): Promise<string>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:4566`; a path prefix such as `/prod` is kept. */
  baseUrl: string;
  fetch?: FetchLike;
  tokens?: TokenProvider;
  /** Sent as User-Agent on every API request (Node only: browsers forbid setting it). */
  userAgent?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Send the bearer token (default true). */
  auth?: boolean;
  /** Extra request headers (the web app's CSRF header on its cookie session). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The server's error envelope. */
interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** The error code with which the server refuses an access token that is valid but expired. */
export const TOKEN_EXPIRED = 'TOKEN_EXPIRED';

/**
 * JSON over HTTP to the Coffer API: builds URLs, sends the bearer token, maps every
 * failure to a `CofferApiError` (or `ServerUnreachableError`), and retries a request
 * once with a refreshed token when the server answers TOKEN_EXPIRED.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private tokens: TokenProvider | undefined;
  private readonly userAgent: string | undefined;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.tokens = options.tokens;
    this.userAgent = options.userAgent;
  }

  useTokens(tokens: TokenProvider): void {
    this.tokens = tokens;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  delete<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    if (!auth) return this.send<T>(method, path, options, undefined);
    const tokens = this.requireTokens();
    const token = await tokens.accessToken();
    try {
      return await this.send<T>(method, path, options, token);
    } catch (error) {
      if (!(error instanceof CofferApiError) || error.status !== 401 || error.code !== TOKEN_EXPIRED) throw error;
      const fresh = await tokens.refreshAfterExpiry(token);
      return this.send<T>(method, path, options, fresh);
    }
  }

  private requireTokens(): TokenProvider {
    if (!this.tokens) throw new Error('ApiClient: an authenticated request needs a TokenProvider');
    return this.tokens;
  }

  private async send<T>(method: string, path: string, options: RequestOptions, token: string | undefined): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;

    let response: Response;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ServerUnreachableError(this.baseUrl, error);
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CofferApiError(response.status, 'BAD_RESPONSE', `The server sent a response that is not JSON (${method} ${path}).`);
    }
  }

  private url(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }
}

/** Maps a non-2xx response to a `CofferApiError`, using the server's envelope when there is one. */
export async function toApiError(response: Response): Promise<CofferApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const details = isRecord(error.details) ? error.details : undefined;
    return new CofferApiError(response.status, receivedCode(error.code), error.message, details);
  }
  const [code, message]: [ErrorCode, string] = FALLBACK[response.status] ?? [
    response.status >= 500 ? 'SERVER_ERROR' : 'HTTP_ERROR',
    `The server answered ${response.status} ${response.statusText}`.trim() + '.',
  ];
  return new CofferApiError(response.status, code, message);
}

/** Statuses without an error envelope (a proxy, API Gateway itself, a crashed function). */
const FALLBACK: Record<number, [ErrorCode, string]> = {
  400: ['VALIDATION_FAILED', 'The request is not valid.'],
  401: ['UNAUTHORIZED', 'Authentication is required: log in again.'],
  403: ['FORBIDDEN', 'You are not allowed to do this.'],
  404: ['NOT_FOUND', 'Not found.'],
  409: ['CONFLICT', 'The resource changed: retry.'],
  413: ['PAYLOAD_TOO_LARGE', 'The request is too large.'],
  429: ['TOO_MANY_REQUESTS', 'Too many requests: wait and retry.'],
  503: ['SERVICE_UNAVAILABLE', 'The service is unavailable: retry later.'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

import type { z } from 'zod';
import type { AuditNote } from '../audit/requestAudit.js';
import type { Deps } from '../config/Deps.js';

/** The authenticated principal, from a verified access token. */
export interface Caller {
  userId: string;
  kind: 'member' | 'guest';
}

export interface RequestInfo {
  requestId: string;
  sourceIp: string;
  userAgent: string;
}

export interface OperationInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  caller: Caller;
  /**
   * False when nobody signed in: on `public` routes, and on `optional` ones called without a
   * token. `caller` is then a placeholder that must not be trusted for any decision.
   */
  signedIn: boolean;
  /** Absent only for `standalone` operations. */
  deps: Deps;
  request: RequestInfo;
  /**
   * The request's cookies (`name=value`, as API Gateway's payload 2.0 delivers them) and a
   * header lookup, for the few operations that read them (the web app's cookie session).
   */
  http: { cookies: readonly string[]; header(name: string): string | undefined };
}

export interface OperationResult {
  status?: number;
  body?: unknown;
  /** Set-Cookie values (API Gateway's payload 2.0 `cookies`; the local server writes them as headers). */
  cookies?: string[];
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** One API operation: its edge schemas and a few declarative lines of behaviour. */
export interface Operation<SB = undefined, SQ = undefined, SP = undefined> {
  body?: SB;
  query?: SQ;
  params?: SP;
  /** Needs no dependency (health): the handler skips wiring, so it answers even when a backend is down. */
  standalone?: boolean;
  /**
   * What the request's audit event should name beyond the path's ids (docs/audit.md): the
   * resource a create makes, the principals a share names, a granted role. Ids and small facts
   * only. Read once the input is valid, before `run`.
   */
  audit?(input: Pick<OperationInput<Out<SB>, Out<SQ>, Out<SP>>, 'body' | 'params' | 'caller'>): AuditNote;
  run(input: OperationInput<Out<SB>, Out<SQ>, Out<SP>>): Promise<OperationResult>;
}

/** Declares an operation with its input types inferred from the schemas. */
export function operation<SB extends Schema | undefined = undefined, SQ extends Schema | undefined = undefined, SP extends Schema | undefined = undefined>(
  def: Operation<SB, SQ, SP>,
): Operation<SB, SQ, SP> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any, any>;

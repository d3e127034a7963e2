import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActorKind, AuditCategory, AuditEvent } from '../../core/api/auditEvent.js';

/** Path parameters are ids; anything longer than this is cut (they are attacker-chosen). */
const MAX_TARGET_CHARS = 128;
/** The User-Agent is attacker-chosen too. */
export const MAX_USER_AGENT_CHARS = 256;

/** The fields of a request's event known before it runs (docs/audit.md, "One event per action"). */
export type AuditBase = Omit<AuditEvent, 'at' | 'outcome' | 'status' | 'errorCode'>;

/** What an operation may add to its request's event before the change is written. */
export interface AuditNote {
  actor?: { kind: ActorKind; id: string };
  resource?: { kind: NonNullable<AuditEvent['resourceKind']>; id: string };
  targets?: Record<string, string>;
  details?: Record<string, string | number | boolean>;
  /**
   * The request is being refused, and what it writes on the way out (a reused refresh token
   * revoking its family) belongs to that refusal: the event written with it is this failure.
   */
  failure?: { status: number; errorCode: string };
}

/**
 * The audit scope of one request: its event, filled in as the request runs, and whether an event
 * for it is already in a chain. The first transaction the request commits carries the event
 * (shared/server/data/transactWrite.ts); the `auditScope` middleware
 * (shared/server/http/middlewares/auditScope.ts) records the rest after the answer is known.
 */
export class AuditScope {
  #base: AuditBase;
  #failure: AuditNote['failure'];
  readonly #clock: () => number;
  /** The outcome of the event already written for this request, if any. */
  written: AuditEvent['outcome'] | undefined;
  /** A write carrying the event is in flight: writes running beside it (a `Promise.all`) go without it. */
  claimed = false;

  constructor(base: AuditBase, clock: () => number) {
    this.#base = { ...base, ...(base.resourceId !== undefined ? { resourceId: base.resourceId.slice(0, MAX_TARGET_CHARS) } : {}), targets: cutTargets(base.targets) };
    this.#clock = clock;
  }

  note(note: AuditNote): void {
    const b = this.#base;
    this.#base = {
      ...b,
      ...(note.actor ? { actorKind: note.actor.kind, actorId: note.actor.id } : {}),
      ...(note.resource ? { resourceKind: note.resource.kind, resourceId: note.resource.id.slice(0, MAX_TARGET_CHARS) } : {}),
      targets: { ...b.targets, ...cutTargets(note.targets ?? {}) },
      ...(note.details ? { details: { ...b.details, ...note.details } } : {}),
    };
    if (note.failure) this.#failure = note.failure;
  }

  /** The event as it stands, with its outcome. */
  event(known: { status?: number; errorCode?: string } = {}): AuditEvent {
    const outcome = known.status === undefined && this.#failure ? this.#failure : known;
    const failed = outcome.errorCode !== undefined || (outcome.status ?? 200) >= 400;
    return {
      ...this.#base,
      at: new Date(this.#clock()).toISOString(),
      outcome: failed ? 'failure' : 'success',
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
    };
  }
}

const scopes = new AsyncLocalStorage<AuditScope>();

/** Runs `fn` in `scope`: every transaction it commits first carries the scope's event. */
export function inAuditScope<T>(scope: AuditScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

/** The current request's scope, if it is audited. */
export function currentAuditScope(): AuditScope | undefined {
  return scopes.getStore();
}

/**
 * Adds to the current request's event (no-op outside an audited request): the actor once it is
 * known (a login), the resource when it is not in the path (a create), other ids and small facts.
 * Ids and facts only: never a key, token, passphrase or name.
 */
export function auditNote(note: AuditNote): void {
  scopes.getStore()?.note(note);
}

function cutTargets(targets: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(targets)) if (typeof value === 'string') out[name] = value.slice(0, MAX_TARGET_CHARS);
  return out;
}

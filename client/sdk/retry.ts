import type { ServerErrorCode, StatusOf } from '../../shared/core/errors/index.js';
import { CofferApiError } from './errors.js';

/** Retries after the first attempt (so at most 6 requests). */
export const CONCURRENT_UPDATE_RETRIES = 5;
const BASE_DELAY_MS = 40;
const MAX_DELAY_MS = 1_000;

/** True for the server's error `code` at `status` (and not a client-side error with the same code). */
export function isApiError<C extends ServerErrorCode>(error: unknown, status: StatusOf<C>, code: C): error is CofferApiError {
  return error instanceof CofferApiError && error.status === status && error.code === code;
}

/**
 * Runs a registry write again when the server answers 409 CONCURRENT_UPDATE: another write
 * changed the node between the server's read and its conditional write, and nothing was
 * written, so the same request is safe to resend. Backoff doubles from 40 ms (capped at 1 s)
 * with jitter, so clients that collided do not collide again in lockstep.
 */
export async function retryConcurrentUpdates<T>(send: () => Promise<T>, sleep: (ms: number) => Promise<void> = delay): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await send();
    } catch (error) {
      if (!isApiError(error, 409, 'CONCURRENT_UPDATE') || retry >= CONCURRENT_UPDATE_RETRIES) throw error;
      await sleep(backoffMs(retry));
    }
  }
}

/** Half the exponential step, plus up to the other half at random ("equal jitter"). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return step / 2 + random() * (step / 2);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

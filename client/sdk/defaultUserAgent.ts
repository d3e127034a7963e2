import { COFFER_VERSION } from './cofferVersion.js';

/**
 * The User-Agent the SDK sends by default, so the audit log can tell its requests apart:
 * `coffer-sdk/<version>` in Node; none in a browser, which forbids setting the header and
 * sends its own.
 */
export function defaultUserAgent(): string | undefined {
  const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  return node && !inBrowser ? `coffer-sdk/${COFFER_VERSION}` : undefined;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COFFER_VERSION } from '../../../client/sdk/cofferVersion.js';
import { defaultUserAgent } from '../../../client/sdk/defaultUserAgent.js';

describe('COFFER_VERSION', () => {
  it("is package.json's version (the CLI's --version and both user agents show it)", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(COFFER_VERSION).toBe(pkg.version);
  });
});

describe('defaultUserAgent', () => {
  it('is coffer-sdk/<version> in Node and none where a document exists (a browser forbids setting it)', () => {
    expect(defaultUserAgent()).toBe(`coffer-sdk/${COFFER_VERSION}`);
    const g = globalThis as { document?: unknown };
    g.document = {};
    try {
      expect(defaultUserAgent()).toBeUndefined();
    } finally {
      delete g.document;
    }
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppResponder, type WebAppResponder } from '../../../infra/local/webAppFiles.js';
import { webAppContentSecurityPolicy, webAppHeaders } from '../../../shared/server/web/webAppHeaders.js';

let root: string;
let respond: WebAppResponder;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'coffer-web-files-'));
  root = join(base, 'app');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(root, 'assets', 'app-1a2b.js'), 'export {}');
  await writeFile(join(root, 'download-sw.js'), 'self');
  await writeFile(join(base, 'secret.txt'), 'outside the app');
  respond = webAppResponder(root, { connectOrigins: ['http://127.0.0.1:9999'] });
});

afterAll(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('webAppResponder', () => {
  it('answers the root and a link path with index.html, never cached', async () => {
    for (const path of ['/', '/l/AbC_-123']) {
      const file = await respond(path);
      expect(file?.body.toString()).toContain('<title>app</title>');
      expect(file?.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(file?.headers['cache-control']).toBe('no-store');
    }
  });

  it('serves hashed assets as immutable and root files as revalidated, with the policy on each', async () => {
    const asset = await respond('/assets/app-1a2b.js');
    const worker = await respond('/download-sw.js');
    expect(asset?.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset?.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(worker?.headers['cache-control']).toBe('no-cache');
    expect(worker?.headers['content-security-policy']).toBe(webAppContentSecurityPolicy({ connectOrigins: ['http://127.0.0.1:9999'] }));
  });

  it("leaves every other path to the API: API routes, missing files, traversal, nested link paths", async () => {
    const paths = ['/health', '/links/open', '/users/me', '/assets/missing.js', '/../secret.txt', '/assets/../../secret.txt', '/..', '/.hidden.js', '/l/', '/l/a/b', '/l/a%2Fb', '/index.html', '/assets/'];
    for (const path of paths) expect(await respond(path), path).toBeUndefined();
  });
});

describe('webAppHeaders', () => {
  it('is strict: own-origin scripts, no inline code or eval, no framing, storage named for connect only', () => {
    const csp = webAppContentSecurityPolicy({ connectOrigins: ['https://bucket.s3.eu-west-1.amazonaws.com'] });
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self' https://bucket.s3.eu-west-1.amazonaws.com",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ]),
    );
    expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'|data:|\*/);
  });

  it("keeps the API's security headers, leaving content type and caching to each file", () => {
    const headers = webAppHeaders();
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
    expect(headers['strict-transport-security']).toContain('max-age=');
    expect(headers).not.toHaveProperty('content-type');
    expect(headers).not.toHaveProperty('cache-control');
  });
});

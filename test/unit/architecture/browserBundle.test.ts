import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/imports/sourceFiles.js';

/** The SDK front door bundles for a browser: what a web app would ship (docs/design.md, "Layout"). */
describe('browser bundle of the SDK', () => {
  it('client/sdk/index.ts builds for platform browser, with no AWS SDK, server or Node-only code in it', { timeout: 60_000 }, async () => {
    const result = await build({
      absWorkingDir: REPO_ROOT,
      entryPoints: ['client/sdk/index.ts'],
      platform: 'browser',
      bundle: true,
      write: false,
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    for (const aws of ['@aws-sdk', 'client-dynamodb', 'DynamoDBClient']) expect(code).not.toContain(aws);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('shared/core/crypto/aesGcm.ts');
    expect(inputs.filter((p) => /^(shared\/server|client\/sdk\/node|client\/cli)\//.test(p))).toEqual([]);
  });
});

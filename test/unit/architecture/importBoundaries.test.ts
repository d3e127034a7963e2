import { describe, expect, it } from 'vitest';
import { boundaryViolations, isBrowserSafe } from '../../helpers/imports/boundaryViolations.js';
import { sourceFiles } from '../../helpers/imports/sourceFiles.js';

/** The rule of the two wings (docs/design.md, "Layout"): what runs in a browser never reaches Lambda-only or Node-only code. */
describe('import boundaries', () => {
  it('shared/core and the browser-safe client import no shared/server, AWS SDK or Node builtin', () => {
    const files = sourceFiles(['shared', 'client']);
    expect(files.filter((f) => isBrowserSafe(f.path)).length).toBeGreaterThan(100);
    expect(boundaryViolations(files)).toEqual([]);
  });

  it('names the file, the import and the reason of each violation, and leaves Node-only code alone', () => {
    const lines = (...imports: string[]) => `${imports.join('\n')}\n`;
    const files = [
      {
        path: 'shared/core/api/bad.ts',
        text: lines(
          "import type { Deps } from '../../server/config/Deps.js';",
          "import { GetCommand } from '@aws-sdk/lib-dynamodb';",
          "import { x } from '../../../client/sdk/ids.js';",
        ),
      },
      {
        path: 'client/sdk/bad.ts',
        text: lines(
          "import { readFile } from 'node:fs/promises';",
          "import { createHash } from 'crypto';",
          "const keys = await import('../../shared/server/data/keys.js');",
          "export { fileSource } from './node/fileSource.js';",
        ),
      },
      // Allowed: Node-only client code, server code, and core importing core and packages (comments are not imports).
      { path: 'client/sdk/node/fine.ts', text: lines("import { readFile } from 'node:fs/promises';", "import { ids } from '../ids.js';") },
      { path: 'client/cli/fine.ts', text: lines("import { spawn } from 'node:child_process';") },
      { path: 'shared/server/data/fine.ts', text: lines("import { GetCommand } from '@aws-sdk/lib-dynamodb';", "import { z } from '../../core/api/schemas/common.js';") },
      {
        path: 'shared/core/crypto/fine.ts',
        text: lines("import { argon2id } from 'hash-wasm';", "import { ValidationFailed } from '../errors/index.js';", "// import '../../server/data/keys.js';"),
      },
    ];
    expect(boundaryViolations(files)).toEqual([
      "shared/core/api/bad.ts imports '../../server/config/Deps.js': shared/server is Lambda-only",
      "shared/core/api/bad.ts imports '@aws-sdk/lib-dynamodb': the AWS SDK is Lambda-only",
      "shared/core/api/bad.ts imports '../../../client/sdk/ids.js': shared/core imports only shared/core",
      "client/sdk/bad.ts imports 'node:fs/promises': a Node builtin does not exist in a browser",
      "client/sdk/bad.ts imports 'crypto': a Node builtin does not exist in a browser",
      "client/sdk/bad.ts imports '../../shared/server/data/keys.js': shared/server is Lambda-only",
      "client/sdk/bad.ts imports './node/fileSource.js': " +
        'browser-safe client code imports only shared/core and client code outside client/sdk/node and client/cli',
    ]);
  });
});

import { builtinModules } from 'node:module';
import { importsOf } from './importSpecifiers.js';
import type { SourceFile } from './sourceFiles.js';

/**
 * The line between the two wings (docs/design.md, "Layout"): browser-safe code is shared/core and
 * the client except its Node-only parts (client/sdk/node, client/cli). Browser-safe code imports
 * no AWS SDK and no Node builtin, shared/core imports only shared/core, and the rest of the client
 * only shared/core and itself: never shared/server, functions, infra or a Node-only folder.
 */
const NODE_ONLY_CLIENT = ['client/sdk/node/', 'client/cli/'];

const isCore = (path: string) => path.startsWith('shared/core/');
const isBrowserClient = (path: string) => path.startsWith('client/') && !NODE_ONLY_CLIENT.some((dir) => path.startsWith(dir));

/** True for a file the rule covers. */
export const isBrowserSafe = (path: string) => isCore(path) || isBrowserClient(path);

const nodeBuiltins = new Set(builtinModules);
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || nodeBuiltins.has(specifier) || nodeBuiltins.has(specifier.split('/')[0]!);

/** Why `specifier` may not be imported by browser-safe `path`, or undefined when it may. */
function refusal(path: string, specifier: string, target: string | undefined): string | undefined {
  if (target === undefined) {
    if (specifier.startsWith('@aws-sdk/')) return 'the AWS SDK is Lambda-only';
    if (isNodeBuiltin(specifier)) return 'a Node builtin does not exist in a browser';
    return undefined;
  }
  if (isCore(path) ? isCore(target) : isCore(target) || isBrowserClient(target)) return undefined;
  if (target.startsWith('shared/server/')) return 'shared/server is Lambda-only';
  if (isCore(path)) return 'shared/core imports only shared/core';
  return 'browser-safe client code imports only shared/core and client code outside client/sdk/node and client/cli';
}

/** One message per forbidden import, naming the file, the import and the reason. */
export function boundaryViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    if (!isBrowserSafe(file.path)) continue;
    for (const { specifier, target } of importsOf(file)) {
      const why = refusal(file.path, specifier, target);
      if (why) violations.push(`${file.path} imports '${specifier}': ${why}`);
    }
  }
  return violations;
}

// The CLI as one esbuild bundle of main.ts (plain JS, read before anything is compiled).
//
// Running main.ts through tsx costs ~70 MiB of resident memory for the whole run (tsx's loader
// thread, a second V8 isolate, and its transform cache), which alone put a large upload over
// the client's 128 MiB target (docs/benchmarks.md, "Large files"). So the launcher runs a bundle
// of our own sources instead (packages stay external and load from node_modules as usual),
// built on first use and rebuilt whenever a source file changed since: a stat of each input,
// a few ms. The bundle lives in node_modules/.cache/coffer-cli; without esbuild, or when that
// directory cannot be written, bin.js falls back to tsx.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'coffer-cli');
const MANIFEST = join(CACHE, 'manifest.json');
const ENTRY = 'client/cli/main.ts';

/** The path of an up-to-date bundle of the CLI, building it if needed. Throws when it cannot be built. */
export async function cliBundle() {
  return upToDate() ?? (await build());
}

/** The bundle, when every input is exactly as it was when the bundle was built. */
function upToDate() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof manifest?.bundle !== 'string' || typeof manifest.inputs !== 'object' || manifest.inputs === null) return undefined;
  for (const [file, stamp] of Object.entries(manifest.inputs)) {
    if (stampOf(join(ROOT, file)) !== stamp) return undefined;
  }
  const bundle = join(CACHE, manifest.bundle);
  return stampOf(bundle) === undefined ? undefined : bundle;
}

async function build() {
  const started = Date.now();
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const name = `cli-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
  mkdirSync(CACHE, { recursive: true });
  const bundle = join(CACHE, name);
  writeAtomically(bundle, code);
  const inputs = {};
  let changedMeanwhile = false;
  for (const file of Object.keys(result.metafile.inputs)) {
    const stamp = stampOf(join(ROOT, file));
    inputs[file] = stamp;
    // A file saved while esbuild read it: use this bundle now, but build again next time.
    if (stamp === undefined || Number(stamp.split(':')[1]) >= started) changedMeanwhile = true;
  }
  if (!changedMeanwhile) {
    writeAtomically(MANIFEST, JSON.stringify({ bundle: name, inputs }));
    // Older bundles: a CLI still running one has it loaded already, so removing the file is harmless.
    for (const old of readdirSync(CACHE).filter((f) => /^cli-[0-9a-f]{16}\.mjs$/.test(f) && f !== name)) rmSync(join(CACHE, old), { force: true });
  }
  return bundle;
}

/** `size:mtimeMs` of a file, or undefined when it is gone. */
function stampOf(path) {
  try {
    const info = statSync(path);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Temp file + rename: a CLI starting meanwhile sees the old file or the new one, never half of one. */
function writeAtomically(path, data) {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

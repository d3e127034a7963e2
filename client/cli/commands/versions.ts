import type { Command } from 'commander';
import type { VersionSummary } from '../../sdk/versions.js';
import type { CliIo } from '../io.js';
import { formatBytes, table } from '../format.js';
import type { Output } from '../Output.js';
import { describeTransfer, progressBar, type Progress, transferJson } from '../progress.js';
import { sendFileJournaled } from './upload.js';
import type { TransferProgress } from '../../sdk/upload.js';
import type { Runner } from './Runner.js';
import { versionArgument } from '../versionArgument.js';

/** Versions and key generations (docs/versions.md): update, versions, restore, rotate. */
export function versionCommands(program: Command, run: Runner, io: CliIo): void {
  program
    .command('update')
    .description('encrypt a file here and upload it as the next version of a document (editors and above)')
    .argument('<id>', 'document id')
    .argument('<file>', 'the new content')
    .action((id: string, file: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const { result, stats } = await sendFileJournaled(ctx, io, file, (sending) =>
          ctx.client.uploadVersion(id, sending.stream, {
            size: sending.size,
            onProgress: sending.onProgress,
            journal: sending.journal,
            signal: sending.signal,
          }),
        );
        ctx.output.result({ ...result, ...transferJson(stats) }, () => `Uploaded version ${result.version} of ${id} (key generation ${result.keyGeneration}): ${describeTransfer(stats)}.`);
      }),
    );

  program
    .command('versions')
    .description("a document's versions, newest first: who uploaded each, when, its size and key generation")
    .argument('<id>', 'document id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const versions: VersionSummary[] = [];
        for await (const v of ctx.client.listAllVersions(id)) versions.push(v);
        ctx.output.result({ documentId: id, versions }, () => versionTable(versions));
      }),
    );

  program
    .command('restore')
    .description('restore an old version as a new version (decrypted here, encrypted again under the current key)')
    .argument('<id>', 'document id')
    .argument('<version>', 'the version to restore (see `coffer versions ID`)', versionArgument)
    .action((id: string, version: number, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const bar = lazyBar(ctx.output, io, 'restore ');
        let result;
        try {
          result = await ctx.client.restoreVersion(id, version, { onProgress: bar.update });
        } finally {
          bar.stop();
        }
        ctx.output.result(result, () => `Restored version ${version} of ${id} as version ${result.version}.`);
      }),
    );

  program
    .command('rotate')
    .description('start a new key generation now and re-encrypt the latest version under it (managers)')
    .argument('<id>', 'document id')
    .option('--key-only', 'only start the new key generation; do not re-encrypt the latest version')
    .action((id: string, flags: { keyOnly?: boolean }, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const bar = lazyBar(ctx.output, io, 'rotate  ');
        let result;
        try {
          result = await ctx.client.rotate(id, { keyOnly: flags.keyOnly ?? false, onProgress: bar.update });
        } finally {
          bar.stop();
        }
        ctx.output.result(result, () =>
          [
            `${id} is now at key generation ${result.keyGeneration}; share links to it must be created again.`,
            result.version !== undefined
              ? `The latest content was re-encrypted as version ${result.version}; older versions stay under their old keys.`
              : `Nothing was re-encrypted: \`coffer rotate ${id}\` (without --key-only) re-encrypts the latest version.`,
          ].join('\n'),
        );
      }),
    );
}

function versionTable(versions: VersionSummary[]): string {
  if (versions.length === 0) return 'No versions.';
  const rows = versions.map((v) => [
    `${v.version}${v.current ? ' (current)' : ''}`,
    formatBytes(v.size),
    String(v.keyGeneration),
    v.createdBy,
    v.createdAt.slice(0, 19).replace('T', ' '),
  ]);
  return table(['VERSION', 'SIZE', 'KEY GEN', 'BY', 'CREATED'], rows);
}

/** A progress bar started at the first report, when the size is known (restore and rotate learn it from the download). */
function lazyBar(output: Output, io: CliIo, label: string): { update: (p: TransferProgress) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    update: ({ bytes, total }) => {
      bar ??= progressBar(output, io.stderr, label, total);
      bar.update(bytes);
    },
    stop: () => bar?.stop(),
  };
}

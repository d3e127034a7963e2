import type { Command } from 'commander';
import type { VersionSummary } from '../../../sdk/versions.js';
import { formatBytes, table } from '../../format.js';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer versions ID`: a document's versions, newest first. */
export const versions: CommandDefinition = (parent, { run }) => {
  parent
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
};

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

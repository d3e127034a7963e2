import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';
import { auditLogInvalid } from './auditLogInvalid.js';

/** `coffer audit checkpoint`: sign a checkpoint of every chain that grew, now (auditors). */
export const auditCheckpoint: CommandDefinition = (parent, { run }) => {
  parent
    .command('checkpoint')
    .description('sign a checkpoint of every chain that grew since its last one, now (auditors; the server also does it hourly)')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const signing = await ctx.client.checkpointAudit();
        if (signing.refused.length > 0) {
          const findings = signing.refused.flatMap((r) => r.findings);
          throw auditLogInvalid(`Not signed: ${signing.refused.length} chain(s) do not verify (${signing.signed.length} signed)`, findings, { ...signing });
        }
        ctx.output.result(signing, () =>
          signing.signed.length === 0
            ? 'Nothing to sign: no chain grew since its last checkpoint.'
            : `Signed ${signing.signed.length} checkpoint(s): ${signing.signed.map((s) => `shard ${s.shard} at seq ${s.seq}`).join(', ')}.`,
        );
      }),
    );
};

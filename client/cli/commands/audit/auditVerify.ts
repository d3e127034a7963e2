import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';
import { auditLogInvalid } from './auditLogInvalid.js';

/** `coffer audit verify`: every chain and checkpoint (auditors); exit 8 when the log does not verify. */
export const auditVerify: CommandDefinition = (parent, { run }) => {
  parent
    .command('verify')
    .description('check every audit chain and checkpoint (auditors); exit 8 naming each finding when the log does not verify')
    .action((_flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const report = await ctx.client.verifyAudit();
        const events = report.shards.reduce((n, s) => n + s.events, 0);
        const checkpoints = report.shards.reduce((n, s) => n + s.checkpoints, 0);
        if (!report.ok) throw auditLogInvalid(`The audit log does not verify: ${report.findings.length} finding(s)`, report.findings, { report });
        ctx.output.result(report, () => `The audit log verifies: ${report.shards.length} chains, ${events} events, ${checkpoints} signed checkpoints.`);
      }),
    );
};

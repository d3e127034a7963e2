import type { Command } from 'commander';
import type { CommandDefinition } from '../CommandDefinition.js';

/** `coffer trust ID`: pin a user's current public key. */
export const trust: CommandDefinition = (parent, { run }) => {
  parent
    .command('trust')
    .description("accept a user's current public key after checking its fingerprint with them (same as --accept-new-key)")
    .argument('<id>', 'user id')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async (ctx) => {
        ctx.requireSession();
        const result = await ctx.client.trustNewKey(id);
        ctx.output.result(result, () =>
          result.previousFingerprint
            ? `Now trusting the new key of ${id}:\n  was ${result.previousFingerprint}\n  now ${result.fingerprint}`
            : `Key of ${id} pinned: ${result.fingerprint}`,
        );
      }),
    );
};

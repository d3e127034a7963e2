import type { CommandDefinition } from './CommandDefinition.js';

/** A command that only holds subcommands (`coffer link create|ls|revoke`), in the order given. */
export function commandGroup(name: string, description: string, subcommands: readonly CommandDefinition[]): CommandDefinition {
  return (parent, deps) => {
    const group = parent.command(name).description(description);
    for (const define of subcommands) define(group, deps);
  };
}

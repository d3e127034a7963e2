import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { cofferProgram } from '../../../client/cli/cofferProgram.js';
import type { CliIo } from '../../../client/cli/io.js';

/** The program with a runner that only records which command reached it (no context, no server). */
function recordingProgram(): { program: Command; ran: string[] } {
  const ran: string[] = [];
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} } as unknown as CliIo;
  const program = cofferProgram({ run: async (command) => void ran.push(pathOf(command)), io }, false);
  return { program, ran };
}

function pathOf(command: Command): string {
  return command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name();
}

/** `coffer share <id> [recipients...] | --to <recipients>, --role <level> {viewer|...}`: one line per command. */
function signature(command: Command): string {
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  const options = command.options.map((o) => `${o.flags}${o.argChoices ? ` {${o.argChoices.join('|')}}` : ''}${o.mandatory ? ' (required)' : ''}`);
  return [pathOf(command), ...args].join(' ') + (options.length ? ` | ${options.join(', ')}` : '');
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('the coffer command tree', () => {
  it('registers every command and subcommand with its arguments and options', () => {
    const { program } = recordingProgram();
    expect(allCommands(program).map(signature)).toEqual([
      'coffer | --server <url>, --json',
      'coffer register | --user <id> (required), --name <name>, --email <email>, --designation <title>, --passphrase-stdin, --invitation <code>',
      'coffer login | --user <id> (required), --passphrase-stdin',
      'coffer logout',
      'coffer passwd | --passphrase-stdin, --new-passphrase-stdin',
      'coffer profile | --name <name>, --email <email>, --no-email, --designation <title>, --no-designation',
      'coffer whoami',
      'coffer users <ids...>',
      'coffer trust <id>',
      'coffer upload <file> | --share <recipients>, --name <name>, --parent <folderId>, --accept-new-key <user>, --resume',
      'coffer ls [folder]',
      'coffer download <id> | -o, --output <path>, --version <n>, --range <start-end>, --force',
      'coffer rm <id>',
      'coffer update <id> <file>',
      'coffer versions <id>',
      'coffer restore <id> <version>',
      'coffer rotate <id> | --key-only',
      'coffer mkdir <name> | --parent <id>',
      'coffer mv <id> <folder> | --yes',
      'coffer rename <id> <name>',
      'coffer limit <id> | --off',
      'coffer rmdir <id>',
      'coffer group',
      'coffer group create <name>',
      'coffer group ls',
      'coffer group show <id>',
      'coffer group add <id> | --user <ids>, --group <ids>, --admin, --accept-new-key <user>',
      'coffer group remove <id> | --user <ids>, --group <ids>, --accept-new-key <user>',
      'coffer group rename <id> <name>',
      'coffer group role <id> <principal> <role>',
      'coffer group rewrap <id>',
      'coffer share <id> [recipients...] | --to <recipients>, --role <level> {viewer|commenter|editor|manager}, --expires <when>, --accept-new-key <id>',
      'coffer revoke <id> <principals...>',
      'coffer perms <id>',
      'coffer role <id> <principal> <level> | --expires <when>, --no-expiry',
      'coffer transfer <id> <user>',
      'coffer settings <id> | --editors-can-share <on|off> {on|off}, --keep-versions <n|all>',
      'coffer comment',
      'coffer comment add <id> <text>',
      'coffer comment ls <id>',
      'coffer comment rm <id> <commentId>',
      'coffer invite | --note <text>',
      'coffer link',
      'coffer link create <id> | --expires <when>, --password, --max-downloads <n>, --mode <who>, --view-only',
      'coffer link ls <id>',
      'coffer link revoke <link>',
      'coffer open <url> | -o, --output <path>, --item <id>, --password-stdin, --force',
      'coffer audit',
      'coffer audit verify',
      'coffer audit checkpoint',
      'coffer audit export | --since <iso> (required), --until <iso>, --resource <id>, --category <c> {auth|user|access|content|permission|group|link|cleanup|admin}, --actor <id>, --external',
    ]);
  });

  it('gives every command without subcommands an action that reaches the runner', async () => {
    const leaves = allCommands(recordingProgram().program).filter((c) => c.commands.length === 0);
    expect(leaves).toHaveLength(46);
    for (const leaf of leaves) {
      const { program, ran } = recordingProgram();
      const path = pathOf(leaf).split(' ').slice(1);
      const args = leaf.registeredArguments.filter((a) => a.required).map(() => '1');
      const required = leaf.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, '1']);
      await program.parseAsync([...path, ...args, ...required], { from: 'user' });
      expect(ran, pathOf(leaf)).toEqual([pathOf(leaf)]);
    }
  });
});

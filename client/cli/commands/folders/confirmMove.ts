import { CofferError } from '../../../../shared/core/errors/index.js';
import { describeGain, type MovePreview } from '../../../sdk/folders.js';
import type { CliContext } from '../../context.js';
import { printable } from '../../format.js';
import type { CliIo } from '../../io.js';
import { promptLine } from '../../promptLine.js';

/** Asks before a move that gives anyone access; --yes skips; with --json (no prompt possible) it refuses. */
export async function confirmMove(ctx: CliContext, io: CliIo, preview: MovePreview, yes: boolean): Promise<boolean> {
  if (yes) return true;
  const where = preview.parentId ? await destinationName(ctx, preview.parentId) : 'the top level';
  const question = `Moving into ${where} gives ${describeGain(preview.gainedAccess)} access.`;
  if (ctx.output.json) {
    throw new CofferError('CONFIRMATION_REQUIRED', `${question} Add --yes to move it anyway.`, { gainedAccess: preview.gainedAccess });
  }
  const answer = await promptLine(io, `${question} Continue? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

async function destinationName(ctx: CliContext, folderId: string): Promise<string> {
  try {
    return printable((await ctx.client.getFolder(folderId)).name);
  } catch {
    return folderId;
  }
}

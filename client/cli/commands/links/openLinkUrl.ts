import { CLI_USER_AGENT } from '../../cliUserAgent.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseLinkUrl } from '../../../../shared/core/crypto/index.js';
import { CofferError, InvalidLinkUrl } from '../../../../shared/core/errors/index.js';
import { openLink, type OpenedLink, type OpenLinkOptions } from '../../../sdk/openLink.js';
import { FileExistsError, saveStreamToFile } from '../../../sdk/node/saveStream.js';
import { safeFileName } from '../../../sdk/safeFileName.js';
import { type CliContext, isTransportSafe, normaliseServerUrl } from '../../context.js';
import { formatBytes, printable } from '../../format.js';
import type { CliIo } from '../../io.js';
import { childTable, type LinkChildRow } from '../../linkFormat.js';
import { linkPasswordSource } from '../../linkPassword.js';
import { outputPath } from '../../outputPath.js';
import { progressBar, type Progress } from '../../progress.js';
import { printToTerminal, viewOnlyRefusal } from '../../viewOnly.js';

/** The options of `coffer open`. */
export interface OpenFlags {
  output?: string;
  item?: string;
  passwordStdin?: boolean;
  force?: boolean;
}

/**
 * Opens a share link URL: saves its document (or shows a view-only one on the terminal), or lists
 * its folder; `--item` opens one entry of a folder link.
 */
export async function openLinkUrl(ctx: CliContext, io: CliIo, url: string, flags: OpenFlags, signal: AbortSignal): Promise<void> {
  const server = linkServer(url);
  ctx.linkServerUrl = server;
  if (!isTransportSafe(server)) {
    ctx.output.note(`warning: this link is plain HTTP to another machine (${server}): what it opens travels in clear text.`);
  }
  // An existing -o FILE is refused before the open, which would count a download of a limited link.
  if (flags.output !== undefined && !flags.force) await refuseExistingFile(flags.output);
  let bar: Progress | undefined;
  const options: OpenLinkOptions = {
    password: linkPasswordSource(io, { fromStdin: flags.passwordStdin === true }),
    signal,
    onProgress: ({ bytes }) => bar?.update(bytes),
  };
  let opened = await openAsSessionOrAnonymous(ctx, server, url, options);
  if (flags.item !== undefined) {
    if (opened.node.kind !== 'folder') {
      await cancel(opened);
      throw new CofferError('USAGE', 'This link is to a document, not a folder: open it without --item.');
    }
    opened = await opened.open(flags.item);
  }
  if (opened.node.kind === 'folder') return listLinkFolder(ctx, opened, flags);

  const stream = opened.stream;
  if (!stream) throw new CofferError('BAD_RESPONSE', 'The server opened the document without a download.');
  if (opened.link.access === 'view') {
    const refusal = viewOnlyRefusal({ output: flags.output, json: ctx.output.json, stdoutIsTTY: io.stdout.isTTY === true });
    if (refusal) {
      await stream.cancel().catch(() => undefined);
      throw refusal;
    }
    await printToTerminal(stream, io.stdout);
    return;
  }

  const safeName = safeFileName(opened.node.name, `document-${safeFileName(opened.node.nodeId, 'document')}`);
  const target = await outputPath(flags.output, safeName);
  bar = progressBar(ctx.output, io.stderr, 'download', opened.node.size ?? 0);
  let saved;
  try {
    saved = await saveStreamToFile(stream, target, { force: flags.force === true, signal });
  } finally {
    bar.stop();
  }
  const renamed = !flags.output && safeName !== opened.node.name;
  const left = opened.link.downloadsLeft;
  ctx.output.result(
    {
      linkId: opened.link.linkId,
      nodeId: opened.node.nodeId,
      name: opened.node.name,
      path: saved.path,
      size: saved.bytes,
      expiresAt: opened.link.expiresAt,
      ...(left !== undefined && { downloadsLeft: left }),
    },
    () =>
      [
        `Saved ${formatBytes(saved.bytes)} to ${printable(saved.path)}.`,
        ...(renamed ? [`(The stored name ${JSON.stringify(opened.node.name)} was made safe for this file system.)`] : []),
        ...(left !== undefined ? [`The link allows ${left} more download${left === 1 ? '' : 's'}.`] : []),
      ].join('\n'),
  );
}

/** The API base the link names (the part before its last `/l/`), normalised. Errors never echo the URL. */
function linkServer(url: string): string {
  const { base } = parseLinkUrl(url);
  try {
    return normaliseServerUrl(base);
  } catch {
    throw new InvalidLinkUrl();
  }
}

/**
 * Signed in when this profile's session belongs to the link's server (a bearer token goes to
 * that server only), else anonymous. A session that has expired is no reason to fail a link
 * anyone may open: it is retried anonymously, and an audience that needs sign-in says so.
 */
async function openAsSessionOrAnonymous(ctx: CliContext, server: string, url: string, options: OpenLinkOptions): Promise<OpenedLink> {
  const client = ctx.signedInClientFor(server);
  if (!client) return openLink(url, { ...options, userAgent: CLI_USER_AGENT });
  try {
    return await client.openLink(url, options);
  } catch (error) {
    if (!(error instanceof CofferError) || error.code !== 'SESSION_EXPIRED') throw error;
    ctx.output.note(`note: your session on ${server} has expired; opening the link without it.`);
    return openLink(url, { ...options, userAgent: CLI_USER_AGENT });
  }
}

async function listLinkFolder(ctx: CliContext, first: OpenedLink, flags: OpenFlags): Promise<void> {
  if (flags.output !== undefined) {
    throw new CofferError('USAGE', 'This is a folder: choose a document in it with --item ID, then -o saves that document.');
  }
  const children: LinkChildRow[] = [...(first.children ?? [])];
  for (let page = first; page.cursor; ) {
    page = await page.page(page.cursor);
    children.push(...(page.children ?? []));
  }
  ctx.output.result(
    {
      link: first.link,
      folder: { nodeId: first.node.nodeId, name: first.node.name },
      children: children.map((c) => ({ nodeId: c.nodeId, kind: c.kind, name: c.name, ...(c.size !== undefined && { size: c.size }) })),
    },
    () =>
      [
        `Folder ${printable(first.node.name)} (${first.node.nodeId}), through a link that expires ${first.link.expiresAt}${first.link.access === 'view' ? ' (view only)' : ''}:`,
        children.length === 0 ? '(empty)' : childTable(children),
        ...(children.length ? ['', 'Open one with `coffer open URL --item ID`.'] : []),
      ].join('\n'),
  );
}

async function refuseExistingFile(output: string): Promise<void> {
  const info = await stat(output).catch(() => undefined);
  if (info && !info.isDirectory()) throw new FileExistsError(resolve(output));
}

async function cancel(opened: OpenedLink): Promise<void> {
  await opened.stream?.cancel().catch(() => undefined);
}

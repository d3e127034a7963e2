import { formatBytes, printable, table } from './format.js';
import { describeAudience, type LinkAudience } from './linkOptions.js';

/** The fields of the SDK's LinkSummary that `link ls` and `link create` show. */
export interface LinkRow {
  linkId: string;
  nodeKind: 'document' | 'folder';
  state: 'active' | 'expired' | 'exhausted' | 'stale' | 'locked';
  access: 'download' | 'view';
  audience: LinkAudience;
  expiresAt: string;
  downloads: number;
  maxDownloads?: number;
  accessCount: number;
  lastAccessAt?: string;
  passwordProtected: boolean;
  lockedUntil?: string;
}

/** One child of a folder link, as the SDK decrypted it. */
export interface LinkChildRow {
  nodeId: string;
  kind: 'document' | 'folder';
  name: string;
  size?: number;
}

/** `2026-03-01 12:00Z`: minutes are enough for expiries and accesses. */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

/** `3/10` with a limit, `3` without one. */
export function downloadsOf(link: Pick<LinkRow, 'downloads' | 'maxDownloads'>): string {
  return link.maxDownloads === undefined ? String(link.downloads) : `${link.downloads}/${link.maxDownloads}`;
}

/** `coffer link ls`: one row per link, oldest first as the server lists them. */
export function linkTable(links: readonly LinkRow[]): string {
  return table(
    ['LINK', 'STATE', 'ACCESS', 'AUDIENCE', 'EXPIRES', 'DOWNLOADS', 'OPENS', 'LAST ACCESS', 'PASSWORD'],
    links.map((l) => [
      l.linkId,
      l.state === 'locked' && l.lockedUntil ? `locked until ${shortTime(l.lockedUntil)}` : l.state,
      l.access === 'view' ? 'view only' : 'download',
      describeAudience(l.audience),
      shortTime(l.expiresAt),
      downloadsOf(l),
      String(l.accessCount),
      l.lastAccessAt ? shortTime(l.lastAccessAt) : '-',
      l.passwordProtected ? 'yes' : 'no',
    ]),
  );
}

/** A folder link's listing; names were chosen by the link's creator, so they are escaped. */
export function childTable(children: readonly LinkChildRow[]): string {
  return table(
    ['KIND', 'SIZE', 'ID', 'NAME'],
    children.map((c) => [c.kind, c.kind === 'folder' || c.size === undefined ? '-' : formatBytes(c.size), c.nodeId, printable(c.name)]),
  );
}

/** What `link create` prints: the URL once, on a line of its own, with what it allows and until when. */
export function createdLinkText(url: string, link: LinkRow, nodeId: string): string {
  const terms = [
    link.access === 'view' ? 'view only' : 'view and download',
    describeAudience(link.audience) === 'anyone' ? 'anyone with the URL' : describeAudience(link.audience),
    ...(link.maxDownloads !== undefined ? [`at most ${link.maxDownloads} download${link.maxDownloads === 1 ? '' : 's'}`] : []),
    ...(link.passwordProtected ? ['password required'] : []),
  ];
  return [
    `Link ${link.linkId} to ${nodeId} (${terms.join(', ')}), expires ${link.expiresAt}:`,
    '',
    `    ${url}`,
    '',
    'This URL is shown only this once: Coffer keeps no copy of its secret part (after #) and cannot show it again.',
    `Anyone who has it${link.passwordProtected ? ' and the password' : ''} can open ${link.nodeKind === 'folder' ? 'the folder and everything in it' : 'the document'} until it expires; send it over a channel you trust.`,
    `See its use with \`coffer link ls ${nodeId}\`; end it with \`coffer link revoke ${link.linkId}\`.`,
  ].join('\n');
}

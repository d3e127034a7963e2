/** After a new key generation: how many share links it made stale, and how to make new ones. */
export function staleLinksLine(nodeId: string, staleLinks: number): string {
  if (staleLinks === 0) return 'No share link was affected.';
  const links = staleLinks === 1 ? '1 share link' : `${staleLinks} share links`;
  return `${links} to it ${staleLinks === 1 ? 'is' : 'are'} now stale and open${staleLinks === 1 ? 's' : ''} nothing: make new ones with \`coffer link create ${nodeId}\` (\`coffer link ls ${nodeId}\` lists them).`;
}

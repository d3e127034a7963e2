/** `u:alice` reads as `alice`; groups keep their `g:` prefix. */
export function displayPrincipal(principalId: string): string {
  return principalId.startsWith('u:') ? principalId.slice(2) : principalId;
}

/** `alice, g:GROUPID`: principals as the sharing commands print them. */
export function displayList(principalIds: readonly string[]): string {
  return principalIds.map(displayPrincipal).join(', ');
}

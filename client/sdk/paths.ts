/** `/documents/{id}` with the id escaped: ids are base64url, but callers may pass anything. */
export function documentPath(documentId: string): string {
  return `/documents/${encodeURIComponent(documentId)}`;
}

/** `/nodes/{id}`: the sharing routes of any node (document or folder). */
export function nodePath(nodeId: string): string {
  return `/nodes/${encodeURIComponent(nodeId)}`;
}

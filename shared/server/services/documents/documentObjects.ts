import type { DocumentMeta } from '../../data/documents.js';
import { objectKey } from '../../data/keys.js';
import type { VersionItem } from '../../data/versions.js';

/**
 * What a document's purge removes from S3, from its partition's items: every version's object
 * (and the current one's, named by the META), and every unfinished multipart upload (the first
 * version's is on the META, later pending versions carry their own).
 */
export function documentObjects(
  meta: Pick<DocumentMeta, 'nodeId' | 'currentVersion' | 'upload'> | undefined,
  items: readonly Record<string, unknown>[],
): { objectKeys: string[]; uploads: { key: string; uploadId: string }[] } {
  const versions = items.filter((i) => i.type === 'version' && typeof i.objectKey === 'string') as unknown as VersionItem[];
  const objectKeys = new Set(versions.map((v) => v.objectKey));
  const uploads = versions.flatMap((v) => (v.upload?.kind === 'multipart' ? [{ key: v.objectKey, uploadId: v.upload.uploadId }] : []));
  if (meta && typeof meta.currentVersion === 'number') {
    const current = objectKey(meta.nodeId, meta.currentVersion);
    objectKeys.add(current);
    if (meta.upload?.kind === 'multipart') uploads.push({ key: current, uploadId: meta.upload.uploadId });
  }
  return { objectKeys: [...objectKeys], uploads };
}

import type { VersionItem } from '../../data/versions.js';
import type { VersionSummary } from '../../../core/api/schemas/versions.js';

/** What a reader sees of a version: numbers, sizes, who and when, and the digest. */
export function versionSummary(item: VersionItem, currentVersion: number): VersionSummary {
  return {
    version: item.version,
    size: item.size,
    keyGeneration: item.keyGeneration,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    ...(item.digest ? { digest: item.digest } : {}),
    current: item.version === currentVersion,
  };
}

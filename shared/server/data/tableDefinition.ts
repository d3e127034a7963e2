/**
 * The single table's shape, used by the CDK stack and by the local stack's table
 * creation so both always agree. Keys and indexes are described in docs/design.md.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: [
    /** What a principal can access: list documents, shared with me. */
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Expiry index for the cleanup job: pending uploads, expiring grants and links. */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Audit: external access (guests' requests, link events). gsi1 and gsi2 also index audit events (docs/audit.md). */
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];

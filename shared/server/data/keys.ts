/**
 * Every entity's keys in one place (see docs/design.md, "DynamoDB single table").
 * Access patterns build keys only through these functions.
 */
export const principal = {
  user: (userId: string) => `u:${userId}`,
  group: (groupId: string) => `g:${groupId}`,
  userIdOf: (principalId: string) => (principalId.startsWith('u:') ? principalId.slice(2) : undefined),
  groupIdOf: (principalId: string) => (principalId.startsWith('g:') ? principalId.slice(2) : undefined),
};

export type PrincipalId = `u:${string}` | `g:${string}`;

export const keys = {
  userProfile: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  userCredentials: (userId: string) => ({ pk: `USER#${userId}`, sk: 'CREDENTIALS' }),
  refreshToken: (hash: string) => ({ pk: `REFRESH#${hash}`, sk: 'REFRESH' }),
  tokenFamily: (familyId: string) => ({ pk: `FAMILY#${familyId}`, sk: 'FAMILY' }),
  nodeMeta: (nodeId: string) => ({ pk: `NODE#${nodeId}`, sk: 'META' }),
  nodeVersion: (nodeId: string, version: number) => ({
    pk: `NODE#${nodeId}`,
    sk: `VERSION#${String(version).padStart(9, '0')}`,
  }),
  grant: (nodeId: string, principalId: string) => ({ pk: `NODE#${nodeId}`, sk: `GRANT#${principalId}` }),
  /** A folder's pointer to a child: folder listings and move propagation query these consistently. */
  child: (parentId: string, childId: string) => ({ pk: `NODE#${parentId}`, sk: `CHILD#${childId}` }),
  comment: (nodeId: string, commentId: string) => ({ pk: `NODE#${nodeId}`, sk: `COMMENT#${commentId}` }),
  nodePartition: (nodeId: string) => `NODE#${nodeId}`,
  /** Every group a user is in, transitively: read by every access check. */
  principalSet: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PRINCIPALS' }),
  groupMeta: (groupId: string) => ({ pk: `GROUP#${groupId}`, sk: 'META' }),
  groupMember: (groupId: string, principalId: string) => ({ pk: `GROUP#${groupId}`, sk: `MEMBER#${principalId}` }),
  groupPartition: (groupId: string) => `GROUP#${groupId}`,
  invitation: (codeHash: string) => ({ pk: `INVITE#${codeHash}`, sk: 'INVITE' }),
  /** Audit chain `shard` (docs/audit.md): its head, its events by seq, its signed checkpoints. */
  auditHead: (shard: string) => ({ pk: `AUDIT#${shard}`, sk: 'HEAD' }),
  auditEvent: (shard: string, seq: number) => ({ pk: `AUDIT#${shard}`, sk: `SEQ#${String(seq).padStart(12, '0')}` }),
  auditCheckpoint: (shard: string, seq: number) => ({ pk: `AUDIT#${shard}`, sk: `CHECKPOINT#${String(seq).padStart(12, '0')}` }),
  auditPartition: (shard: string) => `AUDIT#${shard}`,
  /**
   * How far chain `shard` is archived (docs/audit.md, "Archive"). Its own partition on purpose:
   * verify reports any item it did not write in `AUDIT#<shard>` as inserted.
   */
  auditArchiveCursor: (shard: string) => ({ pk: `AUDITARCHIVE#${shard}`, sk: 'CURSOR' }),
  /** A share link, by its id (a hash of its token: docs/links.md). */
  link: (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' }),
};

/** Sort-key prefixes, for `begins_with` queries. */
export const prefixes = {
  grant: 'GRANT#',
  /** Above every grant's gsi1sk (`GRANT#<iso>#<id>`, ASCII only): the end of a BETWEEN range over grants. */
  grantEnd: 'GRANT#\uffff',
  child: 'CHILD#',
  comment: 'COMMENT#',
  member: 'MEMBER#',
  version: 'VERSION#',
  auditEvent: 'SEQ#',
  auditCheckpoint: 'CHECKPOINT#',
} as const;

export const indexKeys = {
  /** gsi1: what a principal can access, newest grants last. */
  byPrincipal: (principalId: string, sharedAt: string, nodeId: string) => ({
    gsi1pk: `PRINCIPAL#${principalId}`,
    gsi1sk: `GRANT#${sharedAt}#${nodeId}`,
  }),
  /** gsi1: the groups a principal is a direct member of. */
  membershipOf: (principalId: string, groupId: string) => ({
    gsi1pk: `PRINCIPAL#${principalId}`,
    gsi1sk: `MEMBER#${groupId}`,
  }),
  principalPartition: (principalId: string) => `PRINCIPAL#${principalId}`,
  /** gsi1: a node's share links, oldest first. */
  linksOf: (nodeId: string, createdAt: string, linkId: string) => ({
    gsi1pk: `LINKS#${nodeId}`,
    gsi1sk: `${createdAt}#${linkId}`,
  }),
  linksPartition: (nodeId: string) => `LINKS#${nodeId}`,
  /**
   * gsi1: audit events about one resource (docs/audit.md, "Queries"), by category then time:
   * `access#…` answers "who accessed this document since", `permission#…` its permission history.
   */
  auditByResource: (resourceId: string, category: string, at: string, eventId: string) => ({
    gsi1pk: `AUDITRES#${resourceId}`,
    gsi1sk: `${category}#${at}#${eventId}`,
  }),
  auditResourcePartition: (resourceId: string) => `AUDITRES#${resourceId}`,
  /** gsi2: audit events of one actor (a user, guest or link id), by time. */
  auditByActor: (actorId: string, at: string, eventId: string) => ({
    gsi2pk: `AUDITACTOR#${actorId}`,
    gsi2sk: `${at}#${eventId}`,
  }),
  auditActorPartition: (actorId: string) => `AUDITACTOR#${actorId}`,
  /** gsi3: external access (guests' requests and link events), by time. */
  auditExternal: (at: string, eventId: string) => ({
    gsi3pk: 'AUDITEXTERNAL',
    gsi3sk: `${at}#${eventId}`,
  }),
  auditExternalPartition: 'AUDITEXTERNAL',
  /**
   * The bounds of an audit query's time range [since, until) on those indexes' sort keys (`at`
   * is a fixed-width ISO instant, so string order is time order): `prefix` is `<category>#` on
   * the resource index, '' on the others. An open end is the whole partition's end.
   */
  auditTimeRange: (prefix: string, since?: string, until?: string) => ({
    // Instants start with a digit: '0' is before all of them (a key condition takes no empty string).
    from: `${prefix}${since ?? '0'}`,
    // Every key is `<prefix><at>#<id>`, so `<prefix><until>` sorts after every instant before
    // `until` and before every key at `until` itself: the end is exclusive.
    to: `${prefix}${until ?? '\uffff'}`,
  }),
  /** gsi2: the expiry index the cleanup job queries. */
  byExpiry: (expiresAtIso: string, pk: string, sk: string) => ({
    gsi2pk: 'EXPIRY',
    gsi2sk: `${expiresAtIso}#${pk}#${sk}`,
  }),
};

/** S3 object key of a document version: random ids only, never a name. */
export const objectKey = (nodeId: string, version: number) => `docs/${nodeId}/v${version}`;

/** Archive object key of events `fromSeq`..`toSeq` of chain `shard` (docs/audit.md, "Archive"). */
export const auditArchiveObject = (shard: string, fromSeq: number, toSeq: number) =>
  `audit/${shard}/${String(fromSeq).padStart(12, '0')}-${String(toSeq).padStart(12, '0')}.jsonl`;

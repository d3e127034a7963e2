/**
 * Every entity's keys in one place (see docs/design.md, "DynamoDB single table").
 * Access patterns build keys only through these functions.
 */
export const principal = {
  user: (userId: string) => `u:${userId}`,
  userIdOf: (principalId: string) => (principalId.startsWith('u:') ? principalId.slice(2) : undefined),
};

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
  nodePartition: (nodeId: string) => `NODE#${nodeId}`,
};

export const indexKeys = {
  /** gsi1: what a principal can access, newest grants last. */
  byPrincipal: (principalId: string, sharedAt: string, nodeId: string) => ({
    gsi1pk: `PRINCIPAL#${principalId}`,
    gsi1sk: `${sharedAt}#${nodeId}`,
  }),
  principalPartition: (principalId: string) => `PRINCIPAL#${principalId}`,
  /** gsi2: the expiry index the cleanup job queries. */
  byExpiry: (expiresAtIso: string, pk: string, sk: string) => ({
    gsi2pk: 'EXPIRY',
    gsi2sk: `${expiresAtIso}#${pk}#${sk}`,
  }),
};

/** S3 object key of a document version: random ids only, never a name. */
export const objectKey = (nodeId: string, version: number) => `docs/${nodeId}/v${version}`;

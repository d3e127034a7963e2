/** The index and TTL attributes any item may carry besides its own shape (docs/design.md, "DynamoDB single table"). */
export interface IndexAttributes {
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
  gsi3pk?: string;
  gsi3sk?: string;
  expiresAt?: number;
}

const OP = Symbol('updateOp');

/** A computed SET value: `V` is the attribute's type, so `increment` only goes on numbers. */
export interface UpdateOp<V> {
  readonly [OP]: { kind: 'increment'; by: number; start?: number } | { kind: 'ifNotExists'; value: unknown } | { kind: 'copy'; path: readonly string[] };
  /** Phantom: ties the op to the attribute's type. */
  readonly __type?: V;
}

/** `a = a + by`; with `start`, `a = if_not_exists(a, start) + by` (an attribute that may be absent). */
export const increment = (by: number, start?: number): UpdateOp<number> => ({ [OP]: { kind: 'increment', by, ...(start === undefined ? {} : { start }) } });

/** `a = if_not_exists(a, value)`: set only once. */
export const ifNotExists = <V>(value: V): UpdateOp<V> => ({ [OP]: { kind: 'ifNotExists', value } });

/** `a = <path>`: another attribute's (or a map entry's) value, copied inside DynamoDB. */
export const copyOf = <V = never>(...path: string[]): UpdateOp<V> => ({ [OP]: { kind: 'copy', path } });

type Attr<T> = Extract<keyof T, string>;
type Shape<T> = T & IndexAttributes;
type EntryOf<V> = V extends Record<string, infer E> | undefined ? E : never;

/**
 * A typed update of an item of shape `T`. Attributes whose value is `undefined` in `set` are
 * left out (so optional changes read as one object). Map entries (`acl.<principalId>`) have
 * their own clauses, since their keys are data, not attribute names.
 */
export interface UpdateSpec<T> {
  set?: { [K in Attr<Shape<T>>]?: Shape<T>[K] | UpdateOp<NonNullable<Shape<T>[K]>> };
  /** `a.<key> = value` for entries of map attributes. */
  setEntries?: { [K in Attr<Shape<T>>]?: Record<string, EntryOf<Shape<T>[K]>> };
  remove?: readonly Attr<Shape<T>>[];
  /** `REMOVE a.<key>` for entries of map attributes. */
  removeEntries?: { [K in Attr<Shape<T>>]?: readonly string[] };
  /** `ADD a n`: a counter that starts at 0 when absent. */
  add?: { [K in Attr<Shape<T>>]?: number };
}

export interface BuiltUpdate {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * Builds `UpdateExpression` with its names and values. Every attribute name goes through a
 * placeholder (`#u0`…), so reserved words (`name`, `state`, `role`, `path`…) need no care;
 * values are `:u0`…, which conditions must not use. An update that changes nothing is refused:
 * DynamoDB would reject it, and it always means a bug in the caller.
 */
export function updateExpression<T>(spec: UpdateSpec<T>): BuiltUpdate {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const nameOf = (attribute: string) => {
    const existing = Object.entries(names).find(([, n]) => n === attribute)?.[0];
    if (existing) return existing;
    const placeholder = `#u${Object.keys(names).length}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const pathOf = (path: readonly string[]) => path.map(nameOf).join('.');
  const valueOf = (value: unknown) => {
    const placeholder = `:u${Object.keys(values).length}`;
    values[placeholder] = value;
    return placeholder;
  };

  const set: string[] = [];
  for (const [attribute, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) continue;
    const a = nameOf(attribute);
    set.push(`${a} = ${isOp(value) ? opExpression(value[OP], a, valueOf, pathOf) : valueOf(value)}`);
  }
  for (const [attribute, entries] of Object.entries(spec.setEntries ?? {})) {
    for (const [key, value] of Object.entries((entries ?? {}) as Record<string, unknown>)) set.push(`${pathOf([attribute, key])} = ${valueOf(value)}`);
  }
  const remove = [...(spec.remove ?? []).map(nameOf)];
  for (const [attribute, entryKeys] of Object.entries(spec.removeEntries ?? {})) {
    for (const key of (entryKeys ?? []) as readonly string[]) remove.push(pathOf([attribute, key]));
  }
  const add = Object.entries(spec.add ?? {})
    .filter(([, n]) => n !== undefined)
    .map(([attribute, n]) => `${nameOf(attribute)} ${valueOf(n)}`);

  const clauses = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ].filter(Boolean);
  if (clauses.length === 0) throw new TypeError('updateExpression: an update must change something');
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

function isOp(value: unknown): value is UpdateOp<unknown> {
  return typeof value === 'object' && value !== null && OP in value;
}

function opExpression(op: UpdateOp<unknown>[typeof OP], attribute: string, valueOf: (v: unknown) => string, pathOf: (p: readonly string[]) => string): string {
  switch (op.kind) {
    case 'increment':
      return `${op.start === undefined ? attribute : `if_not_exists(${attribute}, ${valueOf(op.start)})`} + ${valueOf(op.by)}`;
    case 'ifNotExists':
      return `if_not_exists(${attribute}, ${valueOf(op.value)})`;
    case 'copy':
      return pathOf(op.path);
  }
}

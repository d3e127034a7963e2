import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, NotFound } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { dynamo } from './dynamoErrors.js';
import { conditionCheck, deleteItem, isNew, putItem } from './itemBuilders.js';
import { keys, prefixes } from './keys.js';
import { transact } from './transact.js';
import { writeGuarded } from './writeGuarded.js';

/** A comment on a document (docs/permissions.md, "DynamoDB items"): ciphertext only. */
export interface CommentItem {
  nodeId: string;
  commentId: string;
  authorId: string;
  createdAt: string;
  /** encryptMetadata(DEK, nodeId, `comment:<commentId>`, text). */
  ciphertext: string;
  keyGeneration: number;
}

const FIELDS = ['nodeId', 'commentId', 'authorId', 'createdAt', 'ciphertext', 'keyGeneration'] as const;

function toComment(item: Record<string, unknown>): CommentItem {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f] = item[f];
  return out as unknown as CommentItem;
}

export const commentNotFound = () => new NotFound('COMMENT_NOT_FOUND', 'No such comment on this document.');

/**
 * Add a comment. Guards (as conditions): the document is still active at the key
 * generation the comment was encrypted under (a document being deleted takes no new
 * comments, so its purge leaves none behind); the comment id is new.
 */
export async function putComment(db: Database, comment: CommentItem): Promise<void> {
  await transact(
    db,
    [
      conditionCheck(db, keys.nodeMeta(comment.nodeId), {
        condition: { expression: '#state = :active AND keyGeneration = :gen', names: { '#state': 'state' }, values: { ':active': 'active', ':gen': comment.keyGeneration } },
        onConditionFail: () => new Conflict('DOCUMENT_CHANGED', 'The document changed: reload it and retry.'),
      }),
      putItem(db, { ...keys.comment(comment.nodeId, comment.commentId), type: 'comment', ...comment }, {
        condition: isNew,
        onConditionFail: () => new Conflict('COMMENT_EXISTS', 'A comment with this id exists: generate a new id.'),
      }),
    ],
    { onConflict: () => new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.') },
  );
}

/** One comment, strongly consistent; throws COMMENT_NOT_FOUND. */
export async function getComment(db: Database, nodeId: string, commentId: string): Promise<CommentItem> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.table, Key: keys.comment(nodeId, commentId), ConsistentRead: true })),
  );
  if (!out.Item) throw commentNotFound();
  return toComment(out.Item);
}

/** A document's comments, oldest first (ids sort by time): one page of a query on the node partition. */
export async function listComments(
  db: Database,
  nodeId: string,
  limit: number,
  afterCommentId?: string,
): Promise<{ comments: CommentItem[]; lastCommentId?: string }> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':pk': keys.nodePartition(nodeId), ':c': prefixes.comment },
        ScanIndexForward: true,
        ConsistentRead: true,
        Limit: limit,
        ...(afterCommentId ? { ExclusiveStartKey: keys.comment(nodeId, afterCommentId) } : {}),
      }),
    ),
  );
  const comments = (out.Items ?? []).map(toComment);
  const last = out.LastEvaluatedKey ? comments.at(-1)?.commentId : undefined;
  return last ? { comments, lastCommentId: last } : { comments };
}

/** Delete a comment. Guard: it still exists and is the one the caller was allowed to delete (same author). */
export async function deleteComment(db: Database, nodeId: string, commentId: string, authorId: string): Promise<void> {
  await writeGuarded(
    db,
    deleteItem(db, keys.comment(nodeId, commentId), {
      condition: { expression: 'attribute_exists(pk) AND authorId = :author', values: { ':author': authorId } },
      onConditionFail: commentNotFound,
    }),
  );
}

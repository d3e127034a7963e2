import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, NotFound } from '../../core/errors/index.js';
import type { Database } from './Database.js';
import { cancellationReasons, dynamo, isConditionFailure } from './dynamoErrors.js';
import { keys, prefixes } from './keys.js';
import { transactWrite, writeItem } from './transactWrite.js';

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
  await dynamo(
    () =>
      transactWrite(db, [
            {
              ConditionCheck: {
                TableName: db.table,
                Key: keys.nodeMeta(comment.nodeId),
                ConditionExpression: '#state = :active AND keyGeneration = :gen',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':active': 'active', ':gen': comment.keyGeneration },
              },
            },
            {
              Put: {
                TableName: db.table,
                Item: { ...keys.comment(comment.nodeId, comment.commentId), type: 'comment', ...comment },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]),
    (error) => {
      const reasons = cancellationReasons(error);
      if (!reasons) return;
      if (reasons[0]?.code === 'ConditionalCheckFailed') throw new Conflict('DOCUMENT_CHANGED', 'The document changed: reload it and retry.');
      if (reasons[1]?.code === 'ConditionalCheckFailed') throw new Conflict('COMMENT_EXISTS', 'A comment with this id exists: generate a new id.');
      if (reasons.some((r) => r.code === 'TransactionConflict')) throw new Conflict('CONCURRENT_UPDATE', 'A concurrent change won: retry.');
    },
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
  await dynamo(
    () =>
      writeItem(db, { Delete: {
          TableName: db.table,
          Key: keys.comment(nodeId, commentId),
          ConditionExpression: 'attribute_exists(pk) AND authorId = :author',
          ExpressionAttributeValues: { ':author': authorId },
        } }),
    (error) => {
      if (isConditionFailure(error)) throw commentNotFound();
    },
  );
}

import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../shared/server/config/clients.js';
import { type Actor, download, register, upload, type UploadedDocument } from '../helpers/actors.js';
import { type LocalStack, startLocalStack } from '../helpers/localStack.js';

/**
 * The proof of zero knowledge: after a real upload and share, everything the
 * server stores (every table item, every object) is searched for the secrets a
 * client holds. None may appear, in any common encoding.
 */
let stack: LocalStack;
let alice: Actor;
let bob: Actor;
let doc: UploadedDocument;
const MARKER = 'ZK-MARKER-4b1d9c2e-confidential-salary-data';
const FILE_NAME = 'salary-review-2026-board-only.xlsx';
const plaintext = new TextEncoder().encode(`${MARKER}\n`.repeat(5000));

let tableDump: Buffer;
let objectDump: Buffer;

beforeAll(async () => {
  stack = await startLocalStack();
  alice = await register(stack.url, 'alice');
  bob = await register(stack.url, 'bob');
  doc = await upload(stack.url, alice, plaintext, FILE_NAME, [bob]);
  expect(await download(stack.url, bob, doc.documentId)).toEqual(plaintext);

  const items: unknown[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.db.doc.send(new ScanCommand({ TableName: stack.table, ExclusiveStartKey: startKey }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  tableDump = Buffer.from(JSON.stringify(items));

  const s3 = s3Client(stack.endpoints);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket }));
  const bodies = await Promise.all(
    (listed.Contents ?? []).map(async (o) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: o.Key! }))).Body!.transformToByteArray())),
  );
  objectDump = Buffer.concat(bodies);
});
afterAll(() => stack?.stop());

function encodings(bytes: Uint8Array): Buffer[] {
  const b = Buffer.from(bytes);
  return [b, Buffer.from(b.toString('hex')), Buffer.from(b.toString('base64')), Buffer.from(b.toString('base64url'))];
}

function assertAbsent(secret: Uint8Array, label: string) {
  for (const needle of encodings(secret)) {
    expect(tableDump.includes(needle), `${label} found in the table`).toBe(false);
    expect(objectDump.includes(needle), `${label} found in the bucket`).toBe(false);
  }
}

describe('a dump of DynamoDB and S3', () => {
  it('holds the document and its items (the search below is meaningful)', () => {
    expect(objectDump.length).toBeGreaterThan(plaintext.length);
    expect(tableDump.includes(Buffer.from(doc.documentId))).toBe(true);
    expect(tableDump.includes(Buffer.from('alice'))).toBe(true);
  });

  it('contains neither the marker nor the file name', () => {
    assertAbsent(new TextEncoder().encode(MARKER), 'the plaintext marker');
    assertAbsent(new TextEncoder().encode(FILE_NAME), 'the file name');
    assertAbsent(new TextEncoder().encode('salary-review'), 'part of the file name');
  });

  it('contains no data key', () => {
    assertAbsent(doc.dek, 'the DEK');
  });

  it('contains no passphrase and no auth key', () => {
    for (const actor of [alice, bob]) {
      assertAbsent(new TextEncoder().encode(actor.passphrase), `${actor.userId}'s passphrase`);
      assertAbsent(Buffer.from(actor.authKey, 'base64url'), `${actor.userId}'s auth key`);
    }
  });

  it('contains no private key in the clear', async () => {
    // The actors' private keys are non-extractable; generate the same check on the sealed form:
    // the server stores the client-sealed blob only under a further KMS layer.
    const login = await fetch(`${stack.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'alice', authKey: alice.authKey }),
    }).then((r) => r.json() as Promise<{ encryptedPrivateKey: string }>);
    assertAbsent(Buffer.from(login.encryptedPrivateKey, 'base64url'), 'the client-sealed private key without its KMS layer');
  });
});

/**
 * Writes test/helpers/keyPool/keyPool.json: real RSA-OAEP-3072 key pairs, made once by the
 * product's own generateUserKeyPair, for tests whose subject is not key generation
 * (test/helpers/keyPool/useKeyPool.ts). Run: npx tsx test/helpers/keyPool/generateKeyPool.ts [count]
 * These private keys are public: they protect nothing but test data.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateUserKeyPair } from '../../../shared/core/crypto/userKeyPair.js';

const count = Number(process.argv[2] ?? 192);
const pkcs8: string[] = [];
for (let i = 0; i < count; i++) pkcs8.push(Buffer.from((await generateUserKeyPair()).privateKeyPkcs8).toString('base64'));
await writeFile(join(import.meta.dirname, 'keyPool.json'), `${JSON.stringify({ pkcs8 }, null, 1)}\n`);
console.log(`${count} key pairs written`);

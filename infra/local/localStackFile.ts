import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<dataDir>/local-stack.json`: where a running `npm start` can be reached. Written when the
 * stack is up, removed when it stops; `npm run cleanup` reads it.
 */
export const LOCAL_STACK_FILE = 'local-stack.json';

export interface LocalStackFile {
  endpoints: { dynamodb: string; s3: string };
  table: string;
  bucket: string;
  url: string;
}

/** No running local stack to talk to; the message says how to start one. */
export class LocalStackNotRunning extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStackNotRunning';
  }
}

export const localStackFilePath = (dataDir: string) => join(dataDir, LOCAL_STACK_FILE);

export async function writeLocalStackFile(dataDir: string, info: LocalStackFile): Promise<void> {
  await writeFile(localStackFilePath(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

export async function removeLocalStackFile(dataDir: string): Promise<void> {
  await rm(localStackFilePath(dataDir), { force: true });
}

/** Reads and checks the file; throws LocalStackNotRunning when it is absent or unreadable. */
export async function readLocalStackFile(dataDir: string): Promise<LocalStackFile> {
  const path = localStackFilePath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LocalStackNotRunning(`Coffer is not running (no ${path}): start it with \`npm start\` and run this again.`);
    }
    throw error;
  }
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    throw new LocalStackNotRunning(`${path} is not valid JSON: stop Coffer, delete the file and start it again with \`npm start\`.`);
  }
  if (!isLocalStackFile(info)) {
    throw new LocalStackNotRunning(`${path} does not describe a local stack: stop Coffer, delete the file and start it again with \`npm start\`.`);
  }
  return info;
}

function isLocalStackFile(value: unknown): value is LocalStackFile {
  const v = value as Partial<LocalStackFile> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.endpoints?.dynamodb === 'string' &&
    typeof v.endpoints.s3 === 'string' &&
    typeof v.table === 'string' &&
    typeof v.bucket === 'string' &&
    typeof v.url === 'string'
  );
}

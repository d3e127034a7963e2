import { toBase64Url } from '../../shared/core/crypto/index.js';

/**
 * The resume journal of one pending upload (docs/versions.md, "Resume"). It holds no key
 * material: the stream header is public (the object's first 38 bytes) and a check digest is a
 * hash of tags that are in the object too. It is what makes a resume safe: a re-made part is
 * compared with the check digest recorded before the original part's PUT started.
 */
export interface UploadJournalEntry {
  format: 1;
  serverUrl: string;
  userId: string;
  documentId: string;
  version: number;
  kind: 'single' | 'multipart';
  /** Multipart only: the S3 upload id, the planned part size (ciphertext bytes) and count. */
  uploadId?: string;
  partSize?: number;
  partCount?: number;
  plaintextSize: number;
  ciphertextSize: number;
  /** The file the plaintext came from, when it is one: a resume refuses another size or modification time. */
  source?: SourceIdentity;
  /** base64url of the 38-byte stream header; written before the first part's PUT starts. */
  header?: string;
  /** Check digest (CutPart.check) of every part whose PUT started, by part number; written before that PUT. */
  parts: Record<string, string>;
  createdAt: string;
}

/** A file's path, size and modification time, as `stat` gives them. */
export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Where journals live: a file per upload under the profile in Node (FileUploadJournal), anything
 * durable in a browser (IndexedDB). `save` must be durable when it resolves: a part's PUT starts
 * only after its check digest is saved.
 */
export interface UploadJournal {
  save(entry: UploadJournalEntry): Promise<void>;
  load(documentId: string, version: number): Promise<UploadJournalEntry | undefined>;
  list(): Promise<UploadJournalEntry[]>;
  remove(documentId: string, version: number): Promise<void>;
}

/** What sendContent writes to a journal while it sends (JournalRecorder). */
export interface UploadRecorder {
  /** The stream header, before the first part's PUT. */
  header(header: Uint8Array): Promise<void>;
  /** A part's check digest, before its PUT. */
  partStarted(partNumber: number, check: string): Promise<void>;
}

/** An in-memory journal (tests, or a client that does not resume across runs). */
export class MemoryUploadJournal implements UploadJournal {
  readonly #entries = new Map<string, UploadJournalEntry>();

  async save(entry: UploadJournalEntry): Promise<void> {
    this.#entries.set(journalKey(entry.documentId, entry.version), structuredClone(entry));
  }

  async load(documentId: string, version: number): Promise<UploadJournalEntry | undefined> {
    const entry = this.#entries.get(journalKey(documentId, version));
    return entry && structuredClone(entry);
  }

  async list(): Promise<UploadJournalEntry[]> {
    return [...this.#entries.values()].map((e) => structuredClone(e));
  }

  async remove(documentId: string, version: number): Promise<void> {
    this.#entries.delete(journalKey(documentId, version));
  }
}

/** `<documentId>-v<version>`: the journal's name (the file name in Node). */
export function journalKey(documentId: string, version: number): string {
  return `${documentId}-v${version}`;
}

/**
 * Writes one upload's entry as sending goes on; saves are serialised, so a later save never
 * lands before an earlier one.
 */
export class JournalRecorder implements UploadRecorder {
  readonly #journal: UploadJournal;
  readonly #entry: UploadJournalEntry;
  #last: Promise<void> = Promise.resolve();

  constructor(journal: UploadJournal, entry: UploadJournalEntry) {
    this.#journal = journal;
    this.#entry = structuredClone(entry);
  }

  get entry(): UploadJournalEntry {
    return structuredClone(this.#entry);
  }

  /** Saves the entry as it is now. */
  start(): Promise<void> {
    return this.#save();
  }

  header(header: Uint8Array): Promise<void> {
    this.#entry.header = toBase64Url(header);
    return this.#save();
  }

  partStarted(partNumber: number, check: string): Promise<void> {
    this.#entry.parts[String(partNumber)] = check;
    return this.#save();
  }

  #save(): Promise<void> {
    const snapshot = structuredClone(this.#entry);
    const next = this.#last.then(() => this.#journal.save(snapshot));
    this.#last = next.catch(() => undefined);
    return next;
  }
}

/** A journal entry read back (a file, IndexedDB): the shape checked, anything else is undefined. */
export function parseJournalEntry(value: unknown): UploadJournalEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (e.format !== 1 || !str(e.serverUrl) || !str(e.userId) || !str(e.documentId) || !int(e.version)) return undefined;
  if (e.kind !== 'single' && e.kind !== 'multipart') return undefined;
  if (!int(e.plaintextSize) || !int(e.ciphertextSize) || !str(e.createdAt)) return undefined;
  if (e.kind === 'multipart' && (!str(e.uploadId) || !int(e.partSize) || !int(e.partCount))) return undefined;
  if (e.header !== undefined && !str(e.header)) return undefined;
  if (e.source !== undefined) {
    const s = e.source as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || !str(s.path) || !int(s.size) || typeof s.mtimeMs !== 'number') return undefined;
  }
  if (typeof e.parts !== 'object' || e.parts === null) return undefined;
  if (Object.entries(e.parts).some(([k, v]) => !/^[1-9][0-9]{0,4}$/.test(k) || !str(v))) return undefined;
  return value as UploadJournalEntry;
}

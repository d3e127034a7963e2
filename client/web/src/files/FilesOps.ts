import { CofferError } from '../../../../shared/core/errors/index.js';
import type { CofferClient } from '../../../sdk/CofferClient.js';
import { MemoryUploadJournal } from '../../../sdk/uploadJournal.js';
import { servePulls } from '../download/servePulls.js';
import { progressEvery } from '../progressEvery.js';
import { sourceLabel } from '../../../sdk/sourceLabel.js';
import type { Entry, FilesRequest, FilesResult, FolderChoice, UploadOutcome, UploadProgress } from './filesProtocol.js';

/** The move dialog lists at most this many folders (walked from the top, breadth first). */
const MAX_CHOICES = 300;

/** One upload the worker knows: the File (by reference) and its resume journal, until it succeeds or is discarded. */
interface UploadSlot {
  file: File;
  journal: MemoryUploadJournal;
  controller: AbortController;
}

/**
 * The account worker's file operations (docs/web.md, "My files"): each is one SDK call or a few,
 * so no crypto or protocol step is written twice. The worker's dispatcher hands every
 * FilesRequest here with its signed-in client.
 */
export class FilesOps {
  private readonly uploads = new Map<string, UploadSlot>();
  /** Opened downloads, until the page hands over the Service Worker's data port (or gives up). */
  private readonly downloads = new Map<string, ReadableStream<Uint8Array>>();

  constructor(private readonly client: CofferClient) {}

  async handle(request: FilesRequest): Promise<FilesResult> {
    switch (request.op) {
      case 'listRoot':
        return this.listRoot();
      case 'listFolder': {
        const children: Entry[] = [];
        let folder: { folderId: string; name: string; role: string } | undefined;
        let cursor: string | undefined;
        do {
          const page = await this.client.listFolder(request.folderId, cursor ? { cursor } : {});
          folder ??= { folderId: page.folderId, name: page.name, role: page.role };
          for (const c of page.children) {
            children.push({ nodeId: c.nodeId, kind: c.kind, name: c.name, size: c.size ?? 0, ownerId: c.ownerId, role: c.role, createdAt: c.createdAt });
          }
          cursor = page.cursor;
        } while (cursor);
        return { folder, children };
      }
      case 'folderChoices':
        return { choices: await this.folderChoices(request.exclude) };
      case 'createFolder': {
        const created = await this.client.createFolder(request.name, request.parent ? { parent: request.parent } : {});
        return { created: { folderId: created.folderId, name: created.name } };
      }
      case 'rename':
        await this.client.rename(request.nodeId, request.name);
        return { done: true };
      case 'move': {
        const result = await this.client.move(request.nodeId, request.parentId, { confirm: () => request.allowGain });
        return { moved: result.moved, gainedPeople: result.gainedAccess.people };
      }
      case 'remove':
        if (request.kind === 'folder') await this.client.deleteFolder(request.nodeId);
        else await this.client.remove(request.nodeId);
        return { done: true };
      case 'download': {
        const got = await this.client.download(request.documentId);
        const downloadId = crypto.randomUUID();
        this.downloads.set(downloadId, got.stream);
        return { download: { downloadId, name: got.name, size: got.size } };
      }
      case 'serveDownload': {
        const stream = this.downloads.get(request.downloadId);
        this.downloads.delete(request.downloadId);
        if (!stream) throw new CofferError('DOWNLOAD_NOT_STARTED', 'This download is over or was never opened.');
        await servePulls(request.port, stream);
        return { done: true };
      }
      case 'abandonDownload':
        void this.downloads.get(request.downloadId)?.cancel().catch(() => undefined);
        this.downloads.delete(request.downloadId);
        return { done: true };
      case 'upload':
        return { upload: await this.upload(request.uploadId, request.file, request.parent, request.progress) };
      case 'resumeUpload':
        return { upload: await this.resume(request.uploadId, request.progress) };
      case 'cancelUpload':
        this.uploads.get(request.uploadId)?.controller.abort();
        return { done: true };
      case 'discardUpload':
        await this.discard(request.uploadId);
        return { done: true };
    }
  }

  /**
   * Everything with a grant (GET /documents), split as the page shows it: "My files" are the
   * caller's own, "Shared with me" everyone else's; an entry whose folder is itself listed shows
   * inside that folder only. Each row says where the access comes from when not only direct (`via`).
   */
  private async listRoot(): Promise<FilesResult> {
    const me = await this.me();
    const all = [];
    for await (const entry of this.client.listAll()) all.push(entry);
    const ids = new Set(all.map((e) => e.documentId));
    const folderNames = new Map(all.flatMap((e) => (e.kind === 'folder' && e.name !== undefined ? [[e.documentId, e.name] as const] : [])));
    const mine: Entry[] = [];
    const shared: Entry[] = [];
    for (const e of all) {
      if (e.parentId !== undefined && ids.has(e.parentId)) continue;
      const row: Entry = { nodeId: e.documentId, kind: e.kind, name: e.name, size: e.size, ownerId: e.ownerId, role: e.role, createdAt: e.createdAt };
      if (e.sources.some((s) => s.kind !== 'direct')) row.via = e.sources.map((s) => sourceLabel(s, folderNames)).join(', ');
      (e.ownerId === me ? mine : shared).push(row);
    }
    return { mine, shared };
  }

  /** The folders a node can be moved into: the caller's own, walked down from the top, never the node itself or its subtree. */
  private async folderChoices(exclude: string): Promise<FolderChoice[]> {
    const me = await this.me();
    const queue: FolderChoice[] = [];
    for await (const e of this.client.listAll()) {
      if (e.kind === 'folder' && e.ownerId === me && e.parentId === undefined && e.documentId !== exclude) queue.push({ folderId: e.documentId, label: e.name ?? '(name unreadable)' });
    }
    const choices: FolderChoice[] = [];
    while (queue.length > 0 && choices.length < MAX_CHOICES) {
      const folder = queue.shift()!;
      choices.push(folder);
      for await (const child of this.client.listFolderAll(folder.folderId)) {
        if (child.kind === 'folder' && child.nodeId !== exclude) queue.push({ folderId: child.nodeId, label: `${folder.label} / ${child.name ?? '(name unreadable)'}` });
      }
    }
    return choices.sort((a, b) => a.label.localeCompare(b.label));
  }

  /**
   * The SDK's upload from the File itself (a Blob: read as a stream, encrypted chunk by chunk
   * into parts), with a resume journal in this worker's memory. A failure after the document was
   * created leaves a pending document that no listing shows; the page then offers to resume
   * (parts S3 holds are kept) or to discard it.
   */
  private upload(uploadId: string, file: File, parent: string | undefined, progress: MessagePort): Promise<UploadOutcome> {
    const slot: UploadSlot = { file, journal: new MemoryUploadJournal(), controller: new AbortController() };
    this.uploads.set(uploadId, slot);
    return this.send(uploadId, slot, progress, (onProgress, signal) =>
      this.client.upload(file, { name: file.name, ...(parent ? { parent } : {}), onProgress, signal, journal: { store: slot.journal } }),
    );
  }

  private async resume(uploadId: string, progress: MessagePort): Promise<UploadOutcome> {
    const slot = this.uploads.get(uploadId);
    const [entry] = slot ? await slot.journal.list() : [];
    if (!slot || !entry) {
      progress.close();
      return { uploaded: false, resumable: false, error: { code: 'RESUME_REFUSED', message: 'This upload can no longer be resumed: upload the file again.' } };
    }
    slot.controller = new AbortController();
    const source = { stream: slot.file.stream() as ReadableStream<Uint8Array>, size: slot.file.size };
    return this.send(uploadId, slot, progress, (onProgress, signal) => this.client.resumeUpload(entry, source, { journal: slot.journal, onProgress, signal }));
  }

  /** Runs one upload or resume with progress on `progress` and the slot's abort signal; a success forgets the slot. */
  private async send(
    uploadId: string,
    slot: UploadSlot,
    progress: MessagePort,
    run: (onProgress: (p: UploadProgress) => void, signal: AbortSignal) => Promise<unknown>,
  ): Promise<UploadOutcome> {
    try {
      await run(progressEvery(({ bytes, total }) => progress.postMessage({ bytes, total } satisfies UploadProgress)), slot.controller.signal);
    } catch (error) {
      return this.failed(uploadId, slot, error);
    } finally {
      progress.close();
    }
    this.uploads.delete(uploadId);
    return { uploaded: true, resumable: false };
  }

  private async me(): Promise<string> {
    const session = await this.client.session();
    if (!session) throw new CofferError('NOT_LOGGED_IN', 'Sign in first.');
    return session.userId;
  }

  /** A cancel discards at once; any other failure keeps the slot when the journal can resume it. */
  private async failed(uploadId: string, slot: UploadSlot, error: unknown): Promise<UploadOutcome> {
    if (slot.controller.signal.aborted) {
      await this.discard(uploadId);
      return { uploaded: false, resumable: false };
    }
    if (!(await isReadable(slot.file))) {
      // Reading again would fail again: nothing to resume, so the pending document goes now.
      await this.discard(uploadId);
      const message = `“${slot.file.name}” could not be read from your disk: it was moved, changed or deleted after you chose it. Choose it again to upload it.`;
      return { uploaded: false, resumable: false, error: { code: 'FILE_UNREADABLE', message } };
    }
    const resumable = (await slot.journal.list()).length > 0;
    if (!resumable) this.uploads.delete(uploadId);
    const described = error instanceof CofferError ? { code: error.code, message: error.message } : { code: 'UNEXPECTED', message: 'The upload failed in the browser.' };
    return { uploaded: false, resumable, error: described };
  }

  /**
   * Forgets an interrupted upload and deletes its pending document. The pending document is never
   * listed nor readable, so if this delete does not reach the server either, nothing half-made is
   * visible; the server's clean-up of stale uploads removes it.
   */
  private async discard(uploadId: string): Promise<void> {
    const slot = this.uploads.get(uploadId);
    this.uploads.delete(uploadId);
    for (const entry of slot ? await slot.journal.list() : []) {
      await this.client.remove(entry.documentId).catch(() => undefined);
    }
  }
}

/**
 * A File is a snapshot of the file as chosen: reading one changed, moved or deleted on disk since
 * fails (NotReadableError, NotFoundError; a dropped folder too). The failure reaches the upload
 * only as fetch's "network error" when the stream fed a request body, so after any failure the
 * File itself is asked.
 */
async function isReadable(file: File): Promise<boolean> {
  try {
    await file.slice(0, 1).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

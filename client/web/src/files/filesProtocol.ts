/**
 * The file operations the page asks of the account worker (docs/web.md, "My files"). The worker
 * holds the signed-in CofferClient; these requests carry ids, names typed by the person, File
 * objects (cloned by reference: the bytes are read in the worker, slice by slice) and ports
 * (transferred: a download's plaintext goes from the worker to the download Service Worker).
 */
export type FilesRequest =
  | { op: 'listRoot' }
  | { op: 'listFolder'; folderId: string }
  | { op: 'folderChoices'; exclude: string }
  | { op: 'createFolder'; name: string; parent?: string }
  | { op: 'rename'; nodeId: string; name: string }
  | { op: 'move'; nodeId: string; parentId: string | null; allowGain: boolean }
  | { op: 'remove'; nodeId: string; kind: NodeKind }
  /** Opens a download in the worker (the name and size, for the file); then `serveDownload` or `abandonDownload`. */
  | { op: 'download'; documentId: string }
  /** Answers the download Service Worker's pulls on `port` (its data port) until the end. */
  | { op: 'serveDownload'; downloadId: string; port: MessagePort }
  | { op: 'abandonDownload'; downloadId: string }
  /** `progress` receives UploadProgress messages while the file is sent. */
  | { op: 'upload'; uploadId: string; file: File; parent?: string; progress: MessagePort }
  | { op: 'resumeUpload'; uploadId: string; progress: MessagePort }
  | { op: 'cancelUpload'; uploadId: string }
  | { op: 'discardUpload'; uploadId: string };

export const FILES_OPS: ReadonlySet<FilesRequest['op']> = new Set([
  'listRoot',
  'listFolder',
  'folderChoices',
  'createFolder',
  'rename',
  'move',
  'remove',
  'download',
  'serveDownload',
  'abandonDownload',
  'upload',
  'resumeUpload',
  'cancelUpload',
  'discardUpload',
]);

export function isFilesRequest(request: { op: string }): request is FilesRequest {
  return FILES_OPS.has(request.op as FilesRequest['op']);
}

export type NodeKind = 'document' | 'folder';

/** One row of a listing, its name decrypted in the worker. */
export interface Entry {
  nodeId: string;
  kind: NodeKind;
  /** Undefined when the name could not be decrypted. */
  name: string | undefined;
  /** Plaintext bytes (0 for a folder). */
  size: number;
  ownerId: string;
  role: string;
  /** "Shared with me": where the access comes from ("Finance team", "folder Reports (Payroll)"), unless only direct. */
  via?: string;
  createdAt: string;
}

export interface FolderChoice {
  folderId: string;
  /** "Projects / 2027": the names from the top. */
  label: string;
}

export interface UploadProgress {
  bytes: number;
  total: number;
}

/** How an upload ended, when it did not succeed: `resumable` when the journal holds enough to continue. */
export interface UploadOutcome {
  uploaded: boolean;
  resumable: boolean;
  /** The failure's code and message (not for a success or a cancel). */
  error?: { code: string; message: string };
}

export type FilesResult =
  | { mine: Entry[]; shared: Entry[] }
  | { folder: { folderId: string; name: string; role: string }; children: Entry[] }
  | { choices: FolderChoice[] }
  | { created: { folderId: string; name: string } }
  | { moved: boolean; gainedPeople: number }
  | { download: { downloadId: string; name: string; size: number } }
  | { upload: UploadOutcome }
  | { done: true };

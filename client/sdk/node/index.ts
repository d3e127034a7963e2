/** Node-only helpers: file-backed stores and file streaming. Browsers import `client/sdk` only. */
export { FileKeyPinStore } from './FileKeyPinStore.js';
export { FileSessionStore } from './FileSessionStore.js';
export { FileUploadJournal } from './FileUploadJournal.js';
export { openFile } from './fileSource.js';
export { ensurePrivateDir, readJsonFile, writePrivateFile } from './privateFiles.js';
export { FileExistsError, saveStreamToFile, type SaveOptions } from './saveStream.js';

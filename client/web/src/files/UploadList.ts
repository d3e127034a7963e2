import type { AccountConnection } from '../account/AccountConnection.js';
import { el } from '../dom.js';
import { formatBytes } from '../format.js';
import type { UploadOutcome, UploadProgress } from './filesProtocol.js';

/**
 * The uploads panel: one row per file, with a progress bar, bytes and throughput, and Cancel;
 * files are sent one after another (each holds at most two 16 MiB parts in the worker). A failed
 * upload says whether it can be resumed; nothing of it shows in any listing until it completes.
 */
export class UploadList {
  readonly node = el('ul', { class: 'uploads', 'aria-label': 'Uploads' });
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly account: AccountConnection,
    /** Called after each upload that completed (the listing is refreshed). */
    private readonly uploaded: () => void,
  ) {}

  add(files: readonly File[], parent: string | undefined): void {
    for (const file of files) {
      const row = new UploadRow(this.account, file, parent, this.uploaded);
      this.node.append(row.node);
      this.queue = this.queue.then(() => row.start());
    }
  }
}

class UploadRow {
  readonly node: HTMLLIElement;
  private readonly id = crypto.randomUUID();
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLElement;
  private readonly buttons: HTMLElement;
  private cancelled = false;

  constructor(
    private readonly account: AccountConnection,
    private readonly file: File,
    private readonly parent: string | undefined,
    private readonly uploaded: () => void,
  ) {
    this.bar = el('progress', { max: String(Math.max(file.size, 1)), value: '0', 'aria-label': `Upload of ${file.name}` });
    this.text = el('span', { class: 'hint', role: 'status' }, 'Waiting…');
    this.buttons = el('span', { class: 'actions' });
    this.node = el('li', {}, el('span', { class: 'name' }, file.name), this.bar, this.text, this.buttons);
    this.setButtons(this.button('Cancel', () => this.cancel()));
  }

  async start(): Promise<void> {
    if (this.cancelled) return;
    await this.run((progress) => ({ op: 'upload', uploadId: this.id, file: this.file, ...(this.parent ? { parent: this.parent } : {}), progress }));
  }

  private async run(request: (port: MessagePort) => Parameters<AccountConnection['call']>[0]): Promise<void> {
    const channel = new MessageChannel();
    const started = performance.now();
    channel.port1.onmessage = (event: MessageEvent<UploadProgress>) => this.progress(event.data, started);
    this.text.textContent = 'Encrypting and sending…';
    this.setButtons(this.button('Cancel', () => this.cancel()));
    let outcome: UploadOutcome;
    try {
      outcome = (await this.account.call<{ upload: UploadOutcome }>(request(channel.port2), [channel.port2])).upload;
    } catch (error) {
      outcome = { uploaded: false, resumable: false, error: { code: 'UNEXPECTED', message: error instanceof Error ? error.message : 'The upload failed.' } };
    } finally {
      channel.port1.close();
    }
    this.finish(outcome, started);
  }

  private progress({ bytes, total }: UploadProgress, started: number): void {
    this.bar.value = bytes;
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0.2 ? ` · ${formatBytes(Math.round(bytes / seconds))}/s` : '';
    this.text.textContent = `${formatBytes(bytes)} of ${formatBytes(total)}${rate}`;
  }

  private finish(outcome: UploadOutcome, started: number): void {
    if (outcome.uploaded) {
      this.bar.value = this.bar.max;
      const seconds = (performance.now() - started) / 1000;
      this.text.textContent = `Uploaded ${formatBytes(this.file.size)} in ${seconds.toFixed(1)} s, encrypted in this browser.`;
      this.setButtons();
      this.uploaded();
      return;
    }
    if (this.cancelled) {
      this.text.textContent = 'Cancelled. Nothing was added to your files.';
      this.setButtons();
      return;
    }
    this.text.setAttribute('role', 'alert');
    this.text.className = 'error';
    if (outcome.resumable) {
      this.text.textContent = `The upload stopped (${reason(outcome)}). Nothing was added to your files yet: resume to send what is missing, or discard it.`;
      this.setButtons(
        this.button('Resume', () => void this.resume()),
        this.button('Discard', () => void this.discard()),
      );
    } else if (outcome.error?.code === 'FILE_UNREADABLE') {
      this.text.textContent = `${outcome.error.message} Nothing was added to your files.`;
      this.setButtons();
    } else {
      this.text.textContent = `The upload failed (${reason(outcome)}). Nothing was added to your files: try again.`;
      this.setButtons();
    }
  }

  private async resume(): Promise<void> {
    this.text.removeAttribute('role');
    this.text.className = 'hint';
    await this.run((progress) => ({ op: 'resumeUpload', uploadId: this.id, progress }));
  }

  private async discard(): Promise<void> {
    this.setButtons();
    await this.account.call({ op: 'discardUpload', uploadId: this.id }).catch(() => undefined);
    this.text.textContent = 'Discarded. Nothing was added to your files.';
  }

  private cancel(): void {
    this.cancelled = true;
    this.setButtons();
    this.text.textContent = 'Cancelling…';
    void this.account.call({ op: 'cancelUpload', uploadId: this.id }).catch(() => undefined);
  }

  private button(label: string, action: () => void): HTMLButtonElement {
    const button = el('button', { type: 'button', 'aria-label': `${label} upload of ${this.file.name}` }, label);
    button.addEventListener('click', action);
    return button;
  }

  private setButtons(...buttons: HTMLButtonElement[]): void {
    this.buttons.replaceChildren(...buttons);
  }
}

function reason(outcome: UploadOutcome): string {
  const code = outcome.error?.code;
  if (code === 'STORAGE_ERROR' || code === 'SERVER_UNREACHABLE') return 'the connection was lost';
  if (code === 'INTERNAL' || code === 'SERVICE_UNAVAILABLE') return 'the server could not answer just now';
  return outcome.error?.message.replace(/\.$/, '') ?? 'unknown error';
}

/**
 * One measurement of the client crypto, in its own process so the peak RSS is the crypto's own:
 *
 *   node --import tsx test/bench/cryptoWorker.ts encrypt|decrypt IN OUT
 *   node --import tsx test/bench/cryptoWorker.ts copy IN OUT   (the same file streams, no crypto: the I/O path alone)
 *   node --import tsx test/bench/cryptoWorker.ts idle          (the floor: node + the crypto module loaded)
 *
 * run.ts bundles this file with esbuild and runs it with plain node (tsx's loader thread adds ~70 MiB of RSS).
 *
 * Environment: BENCH_DEK (64 hex chars), BENCH_DOC_ID, BENCH_READER (`node`, `blob`, `handle` or `sdk`:
 * see source() below), BENCH_READ_CHUNK (bytes, default 1 MiB).
 *
 * Prints one JSON line on stdout: { op, bytesIn, bytesOut, seconds, maxRssKiB, reader, readChunk }.
 * The timed section is the whole pipe: file -> encryptStream/decryptStream -> file, until the output is
 * closed (written to the page cache, not fsync'd: the same as age -o).
 */
import { createReadStream, createWriteStream, openAsBlob, readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { openFile } from '../../client/sdk/node/fileSource.js';
import { decryptStream, encryptStream } from '../../shared/core/crypto/index.js';

export interface WorkerResult {
  op: 'encrypt' | 'decrypt' | 'copy' | 'idle';
  bytesIn: number;
  bytesOut: number;
  seconds: number;
  maxRssKiB: number;
  /**
   * Peak anonymous RSS (heap, buffers), sampled every 5 ms from /proc/self/status (Linux): maxRSS less the
   * file-backed pages of the node binary (~35-60 MiB, depending on how much of it the page cache holds).
   */
  peakAnonRssKiB?: number;
  /** User + system CPU time of the whole process. */
  cpuSeconds: number;
  /** The system (kernel) part of cpuSeconds. */
  systemCpuSeconds?: number;
  majorPageFaults?: number;
  minorPageFaults: number;
  reader: string;
  readChunk: number;
}

const MiB = 1024 * 1024;

/**
 * The plaintext or ciphertext file as a WHATWG stream.
 * - `node`: Readable.toWeb(fs.createReadStream(path, { highWaterMark })). Node 20's adapter copies every
 *   chunk once more (`new Uint8Array(chunk)`, to detach it from Buffer pools).
 * - `blob`: fs.openAsBlob(path).stream() (Node picks the read size).
 * - `handle`: a byte stream pulling FileHandle.read() straight into a fresh buffer of `readChunk` bytes
 *   (no adapter copy).
 * - `sdk`: the client SDK's own openFile() (client/sdk/node/fileSource.ts), what the coffer CLI reads files with.
 */
async function source(path: string, reader: string, readChunk: number): Promise<ReadableStream<Uint8Array>> {
  if (reader === 'sdk') return (await openFile(path)).stream;
  if (reader === 'blob') return (await openAsBlob(path)).stream() as ReadableStream<Uint8Array>;
  if (reader === 'handle') {
    const file = await open(path, 'r');
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const buffer = new Uint8Array(readChunk);
          const { bytesRead } = await file.read(buffer, 0, readChunk, null);
          if (bytesRead === 0) {
            await file.close();
            controller.close();
            return;
          }
          controller.enqueue(bytesRead === readChunk ? buffer : buffer.subarray(0, bytesRead));
        },
        async cancel() {
          await file.close();
        },
      },
      { highWaterMark: 0 },
    );
  }
  return Readable.toWeb(createReadStream(path, { highWaterMark: readChunk })) as ReadableStream<Uint8Array>;
}

/**
 * The output file as a WHATWG stream. Node 20's Writable.toWeb uses the Node stream's highWaterMark as
 * a COUNT of chunks (`{ highWaterMark }` with no size function), so the default (16384) or a byte figure
 * such as 4 MiB lets thousands of 1 MiB chunks pile up when the disk lags, and RSS grows without bound.
 * A highWaterMark of 2 bounds it: at most 2 chunks queued and one fs write in flight.
 */
function sink(path: string): WritableStream<Uint8Array> {
  return Writable.toWeb(createWriteStream(path, { highWaterMark: SINK_QUEUE_CHUNKS })) as WritableStream<Uint8Array>;
}

const SINK_QUEUE_CHUNKS = 2;

function anonRssKiB(): number | undefined {
  try {
    const match = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

let peakAnon = anonRssKiB();
const sampler = setInterval(() => {
  const now = anonRssKiB();
  if (now !== undefined && (peakAnon === undefined || now > peakAnon)) peakAnon = now;
}, 5);
sampler.unref();

function usage(): Pick<WorkerResult, 'maxRssKiB' | 'peakAnonRssKiB' | 'cpuSeconds' | 'systemCpuSeconds' | 'minorPageFaults' | 'majorPageFaults'> {
  const u = process.resourceUsage();
  const now = anonRssKiB();
  if (now !== undefined && (peakAnon === undefined || now > peakAnon)) peakAnon = now;
  return {
    maxRssKiB: u.maxRSS,
    peakAnonRssKiB: peakAnon,
    cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
    systemCpuSeconds: u.systemCPUTime / 1e6,
    minorPageFaults: u.minorPageFault,
    majorPageFaults: u.majorPageFault,
  };
}

async function main(): Promise<void> {
  const [op, input, output] = process.argv.slice(2);
  const reader = process.env.BENCH_READER ?? 'node';
  const readChunk = Number(process.env.BENCH_READ_CHUNK ?? MiB);
  if (op === 'idle') {
    process.stdout.write(`${JSON.stringify({ op, bytesIn: 0, bytesOut: 0, seconds: 0, ...usage(), reader, readChunk })}\n`);
    return;
  }
  if ((op !== 'encrypt' && op !== 'decrypt' && op !== 'copy') || !input || !output) {
    throw new Error('usage: cryptoWorker.ts encrypt|decrypt|copy IN OUT  |  cryptoWorker.ts idle');
  }
  const dekHex = process.env.BENCH_DEK ?? '';
  if (!/^[0-9a-f]{64}$/.test(dekHex)) throw new Error('BENCH_DEK must be 64 hex characters.');
  const dek = new Uint8Array(Buffer.from(dekHex, 'hex'));
  const context = { documentId: process.env.BENCH_DOC_ID ?? 'benchbenchbenchbench00', version: 1 };

  const started = performance.now();
  const input$ = await source(input, reader, readChunk);
  if (op === 'copy') await input$.pipeTo(sink(output)); // the I/O path alone, no crypto
  else await input$.pipeThrough(op === 'encrypt' ? encryptStream(dek, context) : decryptStream(dek, context)).pipeTo(sink(output));
  const seconds = (performance.now() - started) / 1000;

  const result: WorkerResult = {
    op,
    bytesIn: (await stat(input)).size,
    bytesOut: (await stat(output)).size,
    seconds,
    ...usage(),
    reader,
    readChunk,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

import { describe, expect, it } from 'vitest';
import { nodeCeiling } from '../../bench/aesGcmCeiling.js';
import type { ChromiumMemoryResult } from '../../bench/chromiumMemory.js';
import type { CliRun } from '../../bench/largeFileBench.js';
import { spliceMarkedSection } from '../../bench/markedSection.js';
import type { ScriptLoad, WebResults } from '../../bench/webBench.js';
import { webFigures, webMarkdown, keptWebAnalysis, spliceWebSection } from '../../bench/webReport.js';

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;

function memory(rendererGrowthMiB: number, browserGrowthMiB = 2): ChromiumMemoryResult {
  const group = (growth: number) => ({ baselineKiB: 400 * 1024, peakKiB: (400 + growth) * 1024, growthKiB: growth * 1024 });
  return { renderers: group(rendererGrowthMiB), browser: group(browserGrowthMiB), others: group(10), largestRendererHwmGrowthKiB: rendererGrowthMiB * 1024, processes: [], samples: 100, sampleMs: 50 };
}

function cli(seconds: number): CliRun {
  return { seconds: seconds + 1, transferSeconds: seconds, worker: { peakRssKiB: 100 * 1024, peakAnonKiB: 50 * 1024, peakFileKiB: 50 * 1024 }, launcher: undefined, peakTreeRssKiB: 150 * 1024 };
}

/** A run that meets every budget: the page at 60% of the CLI's speed both ways, memory well inside. */
function results(change: (r: WebResults) => void = () => undefined): WebResults {
  const scripts: ScriptLoad[] = [
    { path: '/assets/app-a.js', bytes: 97_000, gzipBytes: 35_000, phase: 'first render' },
    { path: '/assets/accountWorker-b.js', bytes: 255_000, gzipBytes: 81_000, phase: 'sign-in' },
    { path: '/assets/dist-c.js', bytes: 1_200_000, gzipBytes: 605_000, phase: 'own passphrase' },
  ];
  const r: WebResults = {
    sizeBytes: SIZE,
    sha256: 'x',
    chromiumVersion: '150',
    signIn: { scripts, built: scripts.map(({ phase, ...s }) => ({ ...s, loadedIn: phase })), wasmCompilesAtFirstRender: 0, wasmFilesAtFirstRender: [] },
    firstRender: { coldMs: [300, 350, 900], warmMs: [100, 110, 120], coldFcpMs: [290, 340, 880] },
    cli: { upload: cli(10), download: cli(10), verified: true },
    web: { upload: { seconds: 10 / 0.6, pageSeconds: 16, memory: memory(200) }, download: { seconds: 10 / 0.6, memory: memory(150) }, verified: true },
    ceiling: { chunkBytes: MiB, chunks: 1024, depth: 2, chromium: { encryptSeconds: 4, decryptSeconds: 4 }, node: { encryptSeconds: 2, decryptSeconds: 2 } },
    link: { seconds: 10, memory: memory(180) },
    storage: { putSeconds: 8, getSeconds: 8, put: memory(100), get: memory(100) },
    settings: { multipartThreshold: 64 * MiB, partSize: 16 * MiB + 256 },
  };
  change(r);
  return r;
}

const statusOf = (r: WebResults, name: RegExp) => webFigures(r).filter((f) => name.test(f.name)).map((f) => f.status);

describe('webFigures', () => {
  it('passes a run inside every budget', () => {
    expect(webFigures(results()).filter((f) => f.status !== 'PASS')).toEqual([]);
  });

  it('misses the script budget above 150 KB gzipped, counting what a sign-in fetches', () => {
    const r = results((x) => x.signIn.scripts.push({ path: '/assets/filesPage-d.js', bytes: 100_000, gzipBytes: 34_001, phase: 'sign-in' }));
    expect(statusOf(r, /^JavaScript of the sign-in page/)).toEqual(['MISSED']);
  });

  it('misses the dictionaries when one of their chunks came before the keystroke', () => {
    const r = results((x) => x.signIn.scripts.unshift({ path: '/assets/dist-c.js', bytes: 1_200_000, gzipBytes: 605_000, phase: 'first render' }));
    expect(statusOf(r, /^strength dictionaries/)).toEqual(['MISSED']);
  });

  it('misses first render when any cold run is over 1 s', () => {
    expect(statusOf(results((x) => x.firstRender.coldMs.push(1001)), /^first render/)).toEqual(['MISSED']);
  });

  it('passes a transfer under half the CLI only by the ceiling rule: Chromium slower than Node and the page at 80% of it', () => {
    // The page at 30% of the CLI (10 s → 33.3 s) is 96% of Chromium's encrypt ceiling (1 GiB in 32 s), which is below Node's.
    const slowCrypto = results((x) => {
      x.web.upload.seconds = 10 / 0.3;
      x.ceiling.chromium.encryptSeconds = 32;
    });
    expect(statusOf(slowCrypto, /upload through the page/)).toEqual(['PASS']);
    // The same page speed when Chromium's AES-GCM is as fast as Node's: the ceiling rule does not apply.
    const fastCrypto = results((x) => {
      x.web.upload.seconds = 10 / 0.3;
      x.ceiling.chromium.encryptSeconds = 32;
      x.ceiling.node.encryptSeconds = 40;
    });
    expect(statusOf(fastCrypto, /upload through the page/)).toEqual(['MISSED']);
  });

  it('misses memory above +256 MiB for the renderers summed, and for the browser process', () => {
    expect(statusOf(results((x) => (x.web.download.memory = memory(257))), /^1 GiB download: resident memory of all renderer/)).toEqual(['MISSED']);
    expect(statusOf(results((x) => (x.web.download.memory = memory(256))), /^1 GiB download: resident memory of all renderer/)).toEqual(['PASS']);
    expect(statusOf(results((x) => (x.web.upload.memory = memory(10, 300))), /upload: resident memory of the browser/)).toEqual(['MISSED']);
    expect(statusOf(results((x) => (x.link.memory = memory(300))), /link page download: resident memory of all renderer/)).toEqual(['MISSED']);
  });

  it('misses a round trip that differs', () => {
    expect(statusOf(results((x) => (x.web.verified = false)), /round trips/)).toEqual(['MISSED']);
  });
});

describe('the web section of docs/benchmarks.md', () => {
  it('replaces only its own section and keeps the hand-written analysis', () => {
    const doc = '# Coffer benchmarks\n\n## Other\n\nkept\n\n## How to run\n\nsteps\n';
    const first = spliceWebSection(doc, webMarkdown(results(), 'Run 1.', '### Analysis\n\nWhy.'));
    expect(first.indexOf('## The web app (issue 15)')).toBeLessThan(first.indexOf('## How to run'));
    expect(keptWebAnalysis(first)).toBe('### Analysis\n\nWhy.');
    const second = spliceWebSection(first, webMarkdown(results(), 'Run 2.', keptWebAnalysis(first)));
    expect(second).toContain('Run 2.');
    expect(second).not.toContain('Run 1.');
    expect(second).toContain('kept');
    expect(second.match(/## The web app/g)).toHaveLength(1);
    expect(second).toContain('### Analysis\n\nWhy.');
  });

  it('appends a section at the end when there is no "How to run"', () => {
    expect(spliceMarkedSection('# Title\n', '<!-- a -->x<!-- b -->', '<!-- a -->', '<!-- b -->')).toBe('# Title\n\n<!-- a -->x<!-- b -->\n');
  });
});

describe('nodeCeiling', () => {
  it('encrypts and decrypts the given chunks with WebCrypto and times both', async () => {
    const r = await nodeCeiling({ chunks: 4, chunkBytes: 64 * 1024, depth: 2 });
    expect(r.encryptSeconds).toBeGreaterThan(0);
    expect(r.decryptSeconds).toBeGreaterThan(0);
  });
});

/**
 * WebCrypto's own AES-256-GCM speed over a transfer's chunks, nothing else: `chunks` chunks of
 * `chunkBytes` (the envelope's 1 MiB), `depth` operations in flight (the envelope's pipeline),
 * encrypted, then the same count decrypted. The ceiling a transfer through that WebCrypto can
 * reach. The same source runs in Chromium (page.evaluate) and in Node, so the two are measured
 * alike; it is kept as plain JavaScript text because a function compiled by tsx carries helper
 * calls (`__name`) that do not exist in the page.
 */
export interface CeilingArgs {
  chunks: number;
  chunkBytes: number;
  depth: number;
}

export interface CeilingResult {
  encryptSeconds: number;
  decryptSeconds: number;
}

const SOURCE = `async ({ chunks, chunkBytes, depth }) => {
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const plain = new Uint8Array(chunkBytes);
  for (let o = 0; o < plain.length; o += 65536) globalThis.crypto.getRandomValues(plain.subarray(o, Math.min(o + 65536, plain.length)));
  const aad = new Uint8Array(64);
  const nonce = (i) => { const n = new Uint8Array(12); new DataView(n.buffer).setUint32(7, i); return n; };
  const timed = async (op) => {
    const started = performance.now();
    const inFlight = [];
    for (let i = 0; i < chunks; i++) {
      inFlight.push(op(i));
      if (inFlight.length >= depth) await inFlight.shift();
    }
    await Promise.all(inFlight);
    return (performance.now() - started) / 1000;
  };
  const encryptSeconds = await timed((i) => subtle.encrypt({ name: 'AES-GCM', iv: nonce(i), additionalData: aad }, key, plain));
  const sealed = await subtle.encrypt({ name: 'AES-GCM', iv: nonce(0), additionalData: aad }, key, plain);
  const decryptSeconds = await timed(() => subtle.decrypt({ name: 'AES-GCM', iv: nonce(0), additionalData: aad }, key, sealed));
  return { encryptSeconds, decryptSeconds };
}`;

/** The expression to evaluate (in a page: `page.evaluate(ceilingExpression(args))`). */
export function ceilingExpression(args: CeilingArgs): string {
  return `(${SOURCE})(${JSON.stringify(args)})`;
}

/** The same measurement in this Node process. */
export function nodeCeiling(args: CeilingArgs): Promise<CeilingResult> {
  return (new Function(`return ${ceilingExpression(args)}`) as () => Promise<CeilingResult>)();
}

/**
 * Worker for hostile-headers.test.ts: builds a near-cap hostile header byte by byte (so the
 * worker's own heap holds only the file) and parses it under the heap limit the test sets.
 * Posts what happened: the error's code and message, or the tensor and metadata counts. Run
 * as a plain Node process instead (`node worker.mjs KIND BYTES`, under --max-old-space-size),
 * it prints the same as one JSON line, with the process's peak resident memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RecurrentError, safetensors } from '../../src/index.js';

const { kind, headerBytes } = (parentPort ? workerData : { kind: process.argv[2], headerBytes: Number(process.argv[3]) }) as { kind: string; headerBytes: number };
const report = (result: Record<string, unknown>) => {
  if (parentPort) parentPort.postMessage(result);
  else console.log(JSON.stringify({ ...result, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
};
const enc = new TextEncoder();

/** A file whose header holds `first`, then entries from `entry(i)` up to about `headerBytes`, then `last`. */
function build(first: string, entry: (i: number) => string, last: string, data = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + headerBytes + 64 + data.length);
  let at = 8;
  const put = (s: string) => {
    at += enc.encodeInto(s, out.subarray(at)).written;
  };
  put(first);
  const room = 8 + headerBytes - last.length;
  for (let i = 0; ; i++) {
    const e = entry(i);
    if (at + e.length > room) break;
    put(e);
  }
  put(last);
  new DataView(out.buffer).setBigUint64(0, BigInt(at - 8), true);
  out.set(data, at);
  return out.subarray(0, at + data.length);
}

/** A file whose header is `first`, then `unit` repeated to about `headerBytes`, then `last`: copied, not encoded, per repeat. */
function repeated(first: string, unit: string, last: string): Uint8Array {
  const out = new Uint8Array(8 + headerBytes + 64);
  let at = 8 + enc.encodeInto(first, out.subarray(8)).written;
  const u = enc.encode(unit);
  const count = Math.floor((8 + headerBytes - last.length - at) / u.length);
  out.set(u, at);
  for (let done = 1; done < count; done *= 2) out.copyWithin(at + done * u.length, at, at + Math.min(done, count - done) * u.length);
  at += count * u.length;
  at += enc.encodeInto(last, out.subarray(at)).written;
  new DataView(out.buffer).setBigUint64(0, BigInt(at - 8), true);
  return out.subarray(0, at);
}

const key = (i: number) => `k${i.toString(36).padStart(6, '0')}`;
const files: Record<string, () => Uint8Array> = {
  // Metadata entries all the way, the last value not a string.
  'metadata, bad last value': () => build('{"__metadata__":{', (i) => `"${key(i)}":"",`, '"z":1}}'),
  // Metadata entries all the way, the first key repeated at the end.
  'metadata, duplicate at the end': () => build('{"__metadata__":{', (i) => `"${key(i)}":"",`, `"${key(0)}":""}}`),
  // Empty tensors all the way, then one byte of data that no tensor covers.
  'empty tensors, trailing byte': () =>
    build('{', (i) => `"${key(i)}":{"dtype":"F32","shape":[0,65536,65536],"data_offsets":[0,0]},`, '"z":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}', new Uint8Array(1)),
  // Names full of escapes (each decoded on its own), the last one with a lone surrogate.
  'escaped names, lone surrogate at the end': () => build('{', (i) => `"\\u0061${key(i)}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},`, '"\\udc00":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'),
  // One shape of about 50 million dimensions.
  'a shape of millions of dimensions': () => repeated('{"a":{"dtype":"F32","shape":[', '1,', '1],"data_offsets":[0,4]}}'),
  // One name of 99 MB, its entry not an object.
  'a 99 MB name': () => repeated('{"', 'é', '":1}'),
  // Hundreds of thousands of tensors with long shapes, the last entry not an object.
  'many tensors with long shapes': () => build('{', (i) => `"${key(i)}":{"dtype":"F32","shape":[0${',1'.repeat(40)}],"data_offsets":[0,0]},`, '"z":1}'),
  // Valid: metadata entries only.
  'valid metadata': () => build('{"__metadata__":{', (i) => `"${key(i)}":"v",`, '"z":""}}'),
};

const bytes = files[kind]!();
const started = performance.now();
try {
  const { tensors, metadata } = safetensors.loadWithMetadata(bytes);
  report({ loaded: true, tensors: Object.keys(tensors).length, metadata: Object.keys(metadata ?? {}).length, ms: performance.now() - started, fileBytes: bytes.length });
} catch (e) {
  report({ loaded: false, isRecurrentError: e instanceof RecurrentError, code: (e as RecurrentError).code, message: String((e as Error).message).slice(0, 300), ms: performance.now() - started, fileBytes: bytes.length });
}

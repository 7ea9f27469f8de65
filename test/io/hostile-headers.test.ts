/**
 * Hostile safetensors headers: what the reference reader refuses is refused here too (numbers
 * written as floats or with a sign, lone surrogate escapes), F16 NaN keeps its bits, and
 * near-cap headers built to exhaust memory are parsed under a 512 MB heap into a RecurrentError
 * (or, when valid, loaded) in bounded time; the ones built to blow up intermediate structures
 * (a shape of millions of dimensions, a 99 MB name, many long shapes) are refused by a Node
 * process limited to a 256 MB heap, at a peak memory of a few times the file.
 */
import { execFile } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { safetensors } from '../../src/index.js';
import { expectRecurrentError, safetensorsFile } from '../helpers.js';

const file = (header: string, data: ArrayLike<number> = []) => safetensorsFile(header, data);
const refused = (bytes: Uint8Array, message: RegExp) => expectRecurrentError(() => safetensors.load(bytes), message, 'format');

describe('numbers and strings the reference reader refuses', () => {
  const four = [0, 0, 128, 63];
  test('sizes written as floats, with exponents, signs or leading zeros', () => {
    for (const shape of ['[1.0]', '[1e0]', '[1E0]', '[1.5e1]', '[-0]', '[01]', '[+1]']) {
      refused(file(`{"a":{"dtype":"F32","shape":${shape},"data_offsets":[0,4]}}`, four), /tensor "a" shape must hold non-negative integers|not valid JSON/);
    }
    for (const offsets of ['[0,4.0]', '[-0,4]', '[0,4e0]', '[0.0,4]', '[0,04]']) {
      refused(file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":${offsets}}}`, four), /tensor "a" data_offsets must be \[begin, end\]|not valid JSON/);
    }
  });

  test('lone surrogate escapes in names, metadata keys and values', () => {
    refused(file(`{"\\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four), /lone UTF-16 surrogate \\ud800/);
    refused(file(`{"a\\udc00b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four), /lone UTF-16 surrogate \\udc00/);
    refused(file(`{"__metadata__":{"\\ud83d":"x"}}`), /lone UTF-16 surrogate/);
    refused(file(`{"__metadata__":{"k":"\\ud83dx"}}`), /lone UTF-16 surrogate/);
    // A pair is a character: it loads, and the file written back is loaded the same.
    const pair = safetensors.load(file(`{"\\ud83d\\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four));
    expect(Object.keys(pair)).toEqual(['\u{1f600}']);
    expect(Object.keys(safetensors.load(safetensors.save(pair)))).toEqual(['\u{1f600}']);
  });

  test('every loaded file can be written back and loaded again', () => {
    const header = `{"__metadata__":{"\\u0041":"\\n\\"\\/"},"\\u00e9t\\u00e9":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
    const { tensors, metadata } = safetensors.loadWithMetadata(file(header, four));
    const again = safetensors.loadWithMetadata(safetensors.save(tensors, metadata!));
    expect(again.metadata).toEqual({ A: '\n"/' });
    expect(Object.keys(again.tensors)).toEqual(['\u00e9t\u00e9']);
  });

  test('an empty tensor name, which the writer cannot write back', () => {
    refused(file(`{"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four), /a tensor with an empty name/);
  });

  test('an escaped spelling of __metadata__ or of an entry key means the same key', () => {
    refused(file(`{"__metadata__":{},"\\u005f_metadata__":{}}`), /key "__metadata__" twice/);
    const t = safetensors.load(file(`{"a":{"\\u0064type":"F32","shape":[1],"data_offsets":[0,4]}}`, four));
    expect(t.a!.data[0]).toBe(1);
  });
});

describe('F16 NaN keeps its sign and payload', () => {
  test('as the F32 path keeps them', () => {
    const halves = [0x7e00, 0xfe00, 0x7c01, 0xfd55];
    const data = new Uint8Array(new Uint16Array(halves).buffer);
    const t = safetensors.load(file(`{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}`, data)).h!;
    const bits = Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, 4), (b) => b.toString(16));
    // sign << 31 | all-ones exponent | the 10-bit payload at the top of the 23-bit mantissa
    expect(bits).toEqual(['7fc00000', 'ffc00000', '7f802000', 'ffaaa000']);
  });
});

// Skipped in a mutation run (vitest.mutate.config.ts sets MUTATION_RUN): these measure the cost
// of 99 MB headers, which instrumented code, counting every statement, cannot parse in time.
describe.skipIf(process.env.MUTATION_RUN)('near-cap hostile headers under a 512 MB heap', () => {
  const work = mkdtempSync(join(tmpdir(), 'recurrent-hostile-'));
  const script = join(work, 'worker.mjs');
  beforeAll(async () => {
    await build({ entryPoints: [join(__dirname, 'hostile-header-worker.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs one hostile kind in a worker whose heap is capped at 512 MB. */
  function parseInWorker(kind: string, headerBytes: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const w = new Worker(script, { workerData: { kind, headerBytes }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
      let result: Record<string, unknown> | null = null;
      w.on('message', (m) => (result = m as Record<string, unknown>));
      w.on('error', reject);
      w.on('exit', (code) => (result === null ? reject(new Error(`worker exited with ${code} and no result`)) : resolve(result)));
    });
  }

  const NEAR_CAP = 99_000_000;
  // Two kinds on every run; all four, and 60 MB of valid metadata, in the longer soak.
  const SOAK = Boolean(process.env.RELIABILITY_SOAK || process.env.FUZZ_RUNS);
  const kinds = [
    ['metadata, bad last value', /__metadata__ "z" must be a string, got number 1/],
    ['empty tensors, trailing byte', /the file has 1 bytes after the last tensor/],
    ['metadata, duplicate at the end', /key "k000000" twice in the object under "__metadata__"/],
    ['escaped names, lone surrogate at the end', /lone UTF-16 surrogate \\udc00/],
  ] as const;
  for (const [kind, message] of SOAK ? kinds : kinds.slice(0, 2)) {
    test(`${kind}: a 99 MB header is refused with a RecurrentError`, async () => {
      const r = await parseInWorker(kind, NEAR_CAP);
      expect(r.loaded).toBe(false);
      expect(r.isRecurrentError, String(r.message)).toBe(true);
      expect(r.code).toBe('format');
      expect(r.message).toMatch(message);
      expect(r.fileBytes).toBeGreaterThan(NEAR_CAP - 100);
      expect(r.ms).toBeLessThan(30_000);
      console.log(`${kind}: ${r.fileBytes} bytes refused in ${Math.round(r.ms as number)} ms`);
    }, 120_000);
  }

  /** Runs one hostile kind in a child Node whose heap is capped at 256 MB. */
  function parseInChild(kind: string, headerBytes: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--max-old-space-size=256', script, kind, String(headerBytes)], { timeout: 170_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`child failed (${error.message}): ${stderr.slice(-2000)}`));
        else resolve(JSON.parse(stdout) as Record<string, unknown>);
      });
    });
  }

  const intermediates = [
    ['a shape of millions of dimensions', /tensor "a" shape has more than 1024 dimensions/],
    ['many tensors with long shapes', /tensor "z" must be an object with dtype, shape and data_offsets, got number 1/],
    ['a 99 MB name', /tensor "éééé[é]*\.\.\." must be an object/],
  ] as const;
  for (const [kind, message] of SOAK ? intermediates : intermediates.slice(0, 2)) {
    test(`${kind}: refused under a 256 MB heap at a few times the file's size`, async () => {
      const r = await parseInChild(kind, NEAR_CAP);
      expect(r.isRecurrentError, String(r.message)).toBe(true);
      expect(r.code).toBe('format');
      expect(r.message).toMatch(message);
      // The message names the tensor in a few dozen characters, whatever the name's size.
      expect(String(r.message).length).toBeLessThan(200);
      expect(r.fileBytes).toBeGreaterThan(NEAR_CAP - 100);
      // The file itself is ~99 MB of it; Node's own baseline is ~50 MB. Before: an abort, or 790 MB.
      // Measured 150-235 MB alone and under CPU load, once 441 MB inside the whole suite.
      expect(r.maxRssBytes).toBeLessThan(6 * NEAR_CAP);
      expect(r.ms).toBeLessThan(60_000);
      console.log(`${kind}: ${r.fileBytes} bytes refused in ${Math.round(r.ms as number)} ms, peak RSS ${Math.round((r.maxRssBytes as number) / 1e6)} MB`);
    }, 180_000);
  }

  const validBytes = SOAK ? 60_000_000 : 5_000_000;
  test(`${validBytes / 1e6} MB of valid metadata loads under the same limit`, async () => {
    const r = await parseInWorker('valid metadata', validBytes);
    expect(r.loaded, String(r.message)).toBe(true);
    expect(r.metadata).toBeGreaterThan(validBytes / 20);
    expect(r.ms).toBeLessThan(60_000);
    console.log(`valid metadata: ${r.metadata} entries (${r.fileBytes} bytes) loaded in ${Math.round(r.ms as number)} ms`);
  }, 180_000);
});

/** Shared test helpers: reading the PyTorch fixtures and comparing arrays within a tolerance. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { linear, noGrad, RecurrentError, setBackend, Tensor } from '../src/index.js';
import type { Tolerance } from './tolerances.js';

/** A tensor as the fixtures encode it. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** Reads test/fixtures/torch/<name>.json. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/torch/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** A fixture tensor as a Tensor (values are exactly representable in float32). */
export function fromFixture(t: FixtureTensor, requiresGrad = false): Tensor {
  const out = new Tensor(Float32Array.from(t.data), t.shape);
  out.requiresGrad = requiresGrad;
  return out;
}

/** Asserts same shape and |a - e| <= atol + rtol |e| everywhere, naming the worst entry. */
export function expectClose(actual: Tensor | ArrayLike<number>, expected: FixtureTensor | Tensor | ArrayLike<number>, tol: Tolerance, what = 'value'): void {
  const a = actual instanceof Tensor ? actual.data : actual;
  const e = expected instanceof Tensor ? expected.data : 'data' in expected && 'shape' in expected ? (expected as FixtureTensor).data : (expected as ArrayLike<number>);
  if (actual instanceof Tensor && 'shape' in expected) {
    expect(actual.shape, `${what}: shape`).toEqual(Array.from((expected as FixtureTensor).shape));
  }
  expect(a.length, `${what}: length`).toBe(e.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < e.length; i++) {
    const ratio = Math.abs(a[i] - e[i]) / (tol.atol + tol.rtol * Math.abs(e[i]));
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (!(worstRatio <= 1)) {
    expect.fail(`${what}: entry ${worst} is ${a[worst]}, expected ${e[worst]} (${worstRatio.toFixed(2)}x the tolerance)`);
  }
}

/** The RecurrentError `fn` throws; the test fails when it throws anything else, or nothing. */
export function thrownRecurrentError(fn: () => unknown): RecurrentError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RecurrentError);
    return e as RecurrentError;
  }
  return expect.fail('expected a RecurrentError, nothing was thrown');
}

/**
 * Asserts that `fn` throws a RecurrentError from `op` (with `code`, when given) whose message
 * starts with the op's name, and returns it.
 */
export function expectRejected(fn: () => unknown, op: string, code?: string): RecurrentError {
  const err = thrownRecurrentError(fn);
  expect(err.op).toBe(op);
  expect(err.message.startsWith(`${op}: `)).toBe(true);
  if (code !== undefined) expect(err.code).toBe(code);
  return err;
}

/** Asserts that `fn` throws a RecurrentError whose message matches (with `code`, when given), and returns it. */
export function expectRecurrentError(fn: () => unknown, message: RegExp | string, code?: string): RecurrentError {
  const err = thrownRecurrentError(fn);
  if (typeof message === 'string') expect(err.message).toContain(message);
  else expect(err.message).toMatch(message);
  if (code !== undefined) expect(err.code).toBe(code);
  return err;
}

/** A safetensors file from raw header text (padded with `padding` spaces) and data bytes; N is the true length. */
export function safetensorsFile(header: string, data: ArrayLike<number> = [], padding = 0): Uint8Array {
  const text = new TextEncoder().encode(header + ' '.repeat(padding));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** x Wᵀ on the WASM backend, then on the JS one (a stale or wrong pack on WASM would differ); leaves JS active. */
export function linearOnBothBackends(x: Tensor, weight: Tensor): [Float32Array, Float32Array] {
  setBackend('wasm');
  const wasm = noGrad(() => linear(x, weight)).data;
  setBackend('js');
  return [wasm, noGrad(() => linear(x, weight)).data];
}

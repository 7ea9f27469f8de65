/**
 * Every exported function and constructor of every entry (core, node, plot), found by walking
 * the exports so that a new export cannot be missed, and every method of a Tensor and a
 * Generator, called with wrong arguments: each returns or throws the library's RecurrentError,
 * never a TypeError, a RangeError or a stack overflow from inside.
 */
import { describe, expect, it } from 'vitest';
import * as core from '../../src/index.js';
import * as node from '../../src/node/index.js';
import * as plot from '../../src/plot/index.js';
import { RecurrentError } from '../../src/index.js';

/** Values that are wrong for almost every argument. Strings are left out where they would name files. */
const WRONG: unknown[] = [undefined, null, NaN, -1, 0.5, 2 ** 40, '3', true, {}, [], [1.5], [10n], () => 1, Symbol('x'), 10n, new Float64Array(2), [[[[]]]]];
const NOT_PATHS = WRONG.filter((v) => typeof v !== 'string');

/** Node exports that write or read files, or run the CLI: called with non-strings only. */
const FILE_FUNCTIONS = new Set(['saveFile', 'loadFile', 'saveCheckpoint', 'loadCheckpoint', 'writeFileAtomic', 'readMetrics', 'readSamples', 'cli']);

type Callable = { name: string; fn: (...args: unknown[]) => unknown; isClass: boolean };

/** Every function reachable from a module namespace, namespaces (nn, F, optim, plot) walked, each once. */
function exportsOf(prefix: string, ns: Record<string, unknown>, seen: Set<unknown>, out: Callable[]): Callable[] {
  for (const [name, value] of Object.entries(ns)) {
    if (seen.has(value)) continue;
    seen.add(value);
    if (typeof value === 'function') {
      out.push({ name: `${prefix}${name}`, fn: value as Callable['fn'], isClass: /^class\b/.test(Function.prototype.toString.call(value)) });
    } else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) {
      exportsOf(`${prefix}${name}.`, value as Record<string, unknown>, seen, out);
    }
  }
  return out;
}

const seen = new Set<unknown>();
const CALLABLES = [...exportsOf('', core as never, seen, []), ...exportsOf('plot.', plot as never, seen, []), ...exportsOf('node.', node as never, seen, [])];

/** Calls `run`; passes when it returns or throws a RecurrentError, else reports what it threw. */
async function check(what: string, run: () => unknown, failures: string[]): Promise<void> {
  try {
    const out = run();
    if (out instanceof Promise) await out;
  } catch (e) {
    if (!(e instanceof RecurrentError)) failures.push(`${what}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 120)}`);
  }
}

function label(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint') return v.toString();
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

describe('every export refuses wrong arguments with a RecurrentError', () => {
  it(`walks ${CALLABLES.length} exported functions and constructors`, () => {
    expect(CALLABLES.length).toBeGreaterThan(120);
    for (const name of ['tensor', 'Tensor', 'nn.LSTM', 'F.ctcLoss', 'optim.Adam', 'safetensors.load', 'plot.lineChart', 'node.saveFile', 'node.cli']) {
      expect(CALLABLES.map((c) => c.name)).toContain(name);
    }
  });

  it('functions and constructors, each argument wrong in turn and all at once', async () => {
    const failures: string[] = [];
    for (const { name, fn, isClass } of CALLABLES) {
      const values = FILE_FUNCTIONS.has(name.replace(/^node\./, '')) ? NOT_PATHS : WRONG;
      const arity = Math.max(fn.length, 1);
      for (const w of values) {
        const call = (args: unknown[]) => (isClass ? () => new (fn as unknown as new (...a: unknown[]) => unknown)(...args) : () => fn(...args));
        await check(`${name}(${label(w)})`, call([w]), failures);
        if (arity > 1) await check(`${name}(${label(w)} x${arity})`, call(Array(arity).fill(w)), failures);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every method of a Tensor and of a Generator', async () => {
    const failures: string[] = [];
    for (const make of [() => core.randn([2, 3], { generator: new core.Generator(1) }), () => new core.Generator(1)]) {
      const proto = Object.getPrototypeOf(make());
      for (const key of Object.getOwnPropertyNames(proto)) {
        const desc = Object.getOwnPropertyDescriptor(proto, key)!;
        if (key === 'constructor' || typeof desc.value !== 'function') continue;
        for (const w of WRONG) {
          const target = make() as unknown as Record<string, (...a: unknown[]) => unknown>;
          await check(`${proto.constructor.name}.${key}(${label(w)})`, () => target[key]!(w), failures);
          await check(`${proto.constructor.name}.${key}(${label(w)}, ${label(w)})`, () => (make() as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!(w, w), failures);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('deep nesting and huge ranks are refused, not stack overflows', () => {
    let deep: unknown = [1];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => core.tensor(deep as number[])).toThrow(RecurrentError);
    const wide = new core.Tensor(new Float32Array(1), Array(100_000).fill(1));
    expect(() => wide.toArray()).toThrow(RecurrentError);
  });
});

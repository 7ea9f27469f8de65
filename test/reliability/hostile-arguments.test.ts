/**
 * Malformed arguments of every kind an attacker or a bug produces (undefined, null, BigInt,
 * NaN, Symbol, cyclic objects and arrays, forged Tensor-like objects, wrong types, proxies,
 * getters that throw their own error) thrown at every exported function and constructor of
 * every entry (recurrent, recurrent/node, recurrent/onnx, recurrent/plot, walked so that a
 * new export cannot be missed) and at every method of an instance of each exported class:
 * only a RecurrentError comes out, never a TypeError, RangeError or plain Error, and where
 * there is state (parameters, optimizer state, generators, a file on disk) it is unchanged.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as core from '../../src/index.js';
import * as node from '../../src/node/index.js';
import * as onnx from '../../src/onnx/index.js';
import * as plot from '../../src/plot/index.js';
import { RecurrentError, Tensor, nn, optim } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-hostile-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Tensor-like object that passes `instanceof Tensor` without being one. */
function forged(shape: unknown, data: unknown): Tensor {
  const t = Object.create(Tensor.prototype) as Record<string, unknown>;
  // `data` is a getter of Tensor's prototype: an own property shadows it, as a forger would.
  Object.defineProperty(t, 'data', { value: data, enumerable: true });
  Object.assign(t, { shape, requiresGrad: false, grad: null, gradFn: null });
  return t as unknown as Tensor;
}

function cyclicObject(): object {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

function cyclicArray(): unknown[] {
  const a: unknown[] = [1];
  a.push(a);
  return a;
}

/** Hostile values, each made fresh per call (a call may not keep them). */
const HOSTILE: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['NaN', () => NaN],
  ['-Infinity', () => -Infinity],
  ['1e300', () => 1e300],
  ['BigInt', () => 10n],
  ['Symbol', () => Symbol('x')],
  ['a cyclic object', cyclicObject],
  ['a cyclic array', cyclicArray],
  ['[BigInt]', () => [1n, 2n]],
  ['{BigInt}', () => ({ a: 1n, shape: [1n], model: 1n, step: 1n, extra: { n: 1n } })],
  ['a forged tensor, data longer than shape', () => forged([1], new Float32Array(1000))],
  ['a forged tensor, BigInt shape', () => forged([2n], new Float32Array(2))],
  ['a forged tensor, cyclic shape', () => forged(cyclicArray(), new Float32Array(2))],
  // Forged objects with one field of their own and none of those the library reads (an object
  // with no own property at all is taken for one under construction: see src/tensor/brand.ts).
  ['a forged tensor, no data or shape', () => Object.assign(Object.create(Tensor.prototype), { requiresGrad: false })],
  ['a forged module', () => Object.assign(Object.create(nn.Module.prototype), { training: true })],
  ['a forged optimizer', () => Object.assign(Object.create(optim.Adam.prototype), { defaults: {} })],
  ['a forged generator', () => Object.assign(Object.create(core.Generator.prototype), { spare: null })],
  ['a string', () => 'x'],
  ['a function', () => () => 1],
  ['an empty proxy', () => new Proxy({}, {})],
  ['a proxy of an array', () => new Proxy([1, 2], {})],
  ['an object with a symbol key', () => ({ [Symbol('k')]: 1 })],
  ['a Float64Array', () => new Float64Array(3)],
  ['a Uint8Array', () => new Uint8Array(12)],
];

type Callable = { name: string; fn: (...args: unknown[]) => unknown; isClass: boolean };

function exportsOf(prefix: string, ns: Record<string, unknown>, seen: Set<unknown>, out: Callable[]): Callable[] {
  for (const [name, value] of Object.entries(ns)) {
    if (seen.has(value)) continue;
    seen.add(value);
    if (typeof value === 'function') out.push({ name: `${prefix}${name}`, fn: value as Callable['fn'], isClass: /^class\b/.test(Function.prototype.toString.call(value)) });
    else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) exportsOf(`${prefix}${name}.`, value as Record<string, unknown>, seen, out);
  }
  return out;
}

const seen = new Set<unknown>();
const CALLABLES = [
  ...exportsOf('', core as never, seen, []),
  ...exportsOf('plot.', plot as never, seen, []),
  ...exportsOf('onnx.', onnx as never, seen, []),
  ...exportsOf('node.', node as never, seen, []),
];

/** Node exports that write or read files or run the CLI: their path arguments get a file in the test folder instead. */
const PATH_FIRST = new Set(['node.saveFile', 'node.loadFile', 'node.saveCheckpoint', 'node.loadCheckpoint', 'node.writeFileAtomic', 'node.readMetrics', 'node.readSamples']);
/** The CLI and the kernel-thread hooks: driven by their own tests. */
const SKIP = new Set(['node.cli']);

async function check(what: string, run: () => unknown, failures: string[]): Promise<void> {
  const t0 = performance.now();
  try {
    const out = run();
    if (out instanceof Promise) await out;
  } catch (e) {
    if (!(e instanceof RecurrentError)) failures.push(`${what}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 160)}`);
  }
  // A refusal is a check, not a computation: a call that takes long on a hostile value is
  // walking something it should have refused.
  const ms = performance.now() - t0;
  if (ms > 2000) failures.push(`${what}: took ${Math.round(ms)} ms`);
}

/** A model, optimizer, scheduler and generator, with a function that fingerprints all their state. */
function world() {
  const model = new nn.LSTM({ inputSize: 3, hiddenSize: 2, seed: 1 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  for (const p of model.parameters()) p.grad = core.onesLike(p);
  optimizer.step();
  const scheduler = new optim.StepLR(optimizer, { stepSize: 2 });
  const generator = new core.Generator(3);
  const snapshot = () =>
    JSON.stringify({
      params: model.parameters().map((p) => Array.from(p.data)),
      optimizer: optimizer.stateDict(),
      scheduler: scheduler.stateDict(),
      generator: generator.getState(),
      defaultGenerator: core.defaultGenerator.getState(),
    });
  // A state that can no longer be read (a parameter slot holding a non-Tensor) counts as changed.
  const state = () => {
    try {
      return snapshot();
    } catch (e) {
      return `unreadable: ${String(e)}`;
    }
  };
  return { model, optimizer, scheduler, generator, state };
}

/**
 * Methods TypeScript keeps internal (declared protected or private in src/, such as an
 * optimizer's update or a module's registerParameter): not part of the public API, so not
 * called here. Found by reading the source, so a new public method cannot be missed. The
 * callback hooks (onEpochEnd, ...) are left out too: fit calls them with its own arguments.
 */
const INTERNAL = new Set(
  readdirSync(fileURLToPath(new URL('../../src', import.meta.url)), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(fileURLToPath(new URL(`../../src/${f}`, import.meta.url)), 'utf8').matchAll(/^\s+(?:protected|private)\s+(?:abstract\s+)?(?:static\s+)?(\w+)\s*[(<]/gm)].map((m) => m[1]!)),
);

describe('hostile arguments get a RecurrentError and change nothing', () => {
  it(`walks ${CALLABLES.length} exported functions and constructors of four entries`, () => {
    expect(CALLABLES.length).toBeGreaterThan(120);
    for (const name of ['tensor', 'nn.LSTM', 'optim.Adam', 'encodeCheckpoint', 'summary', 'plot.heatmap', 'onnx.exportOnnx', 'node.saveCheckpoint']) {
      expect(CALLABLES.map((c) => c.name)).toContain(name);
    }
  });

  it('every export, each argument hostile in turn, the others valid-looking', async () => {
    const failures: string[] = [];
    const w = world();
    const before = w.state();
    const path = join(dir, 'target.safetensors');
    node.saveCheckpoint(path, { model: w.model, optimizer: w.optimizer });
    const file = readFileSync(path);
    for (const { name, fn, isClass } of CALLABLES) {
      if (SKIP.has(name)) continue;
      const arity = Math.max(fn.length, 1) + 1;
      for (const [label, make] of HOSTILE) {
        for (let k = 0; k < arity; k++) {
          const args: unknown[] = Array.from({ length: arity }, (_, i) => (i === k ? make() : i === 0 && PATH_FIRST.has(name) ? path : i === 0 ? w.model : { model: w.model, optimizer: w.optimizer }));
          if (PATH_FIRST.has(name) && k === 0 && typeof args[0] === 'string') continue;
          let threw = false;
          const call = () => {
            try {
              return isClass ? new (fn as unknown as new (...a: unknown[]) => unknown)(...args) : fn(...args);
            } catch (e) {
              threw = true;
              throw e;
            }
          };
          await check(`${name}(arg ${k} = ${label})`, call, failures);
          // A call that was refused changed nothing; one that was valid (an empty proxy is an
          // empty state dict) may have written the file, which is put back for the next.
          if (threw && !readFileSync(path).equals(file)) failures.push(`${name}(arg ${k} = ${label}) threw but changed the file`);
          if (threw && w.state() !== before) failures.push(`${name}(arg ${k} = ${label}) threw but changed the state`);
          if (!readFileSync(path).equals(file)) writeFileSync(path, file);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('every method of an instance of each exported class', async () => {
    const failures: string[] = [];
    const makers: [string, (w: ReturnType<typeof world>) => object][] = [
      ['LSTM', (w) => w.model],
      ['GRU', () => new nn.GRU({ inputSize: 3, hiddenSize: 2, seed: 2 })],
      ['Linear', () => new nn.Linear({ inFeatures: 3, outFeatures: 2, seed: 2 })],
      ['Embedding', () => new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, seed: 2 })],
      ['LSTMCell', () => new nn.LSTMCell({ inputSize: 3, hiddenSize: 2, seed: 2 })],
      ['Adam', (w) => w.optimizer],
      ['StepLR', (w) => w.scheduler],
      ['ReduceLROnPlateau', (w) => new optim.ReduceLROnPlateau(w.optimizer)],
      ['Generator', (w) => w.generator],
      ['Tensor', () => core.randn([2, 3], { generator: new core.Generator(1) })],
      ['EarlyStopping', () => core.earlyStopping()],
    ];
    for (const [cls, make] of makers) {
      const methods = new Set<string>();
      for (let proto = Object.getPrototypeOf(make(world())); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const key of Object.getOwnPropertyNames(proto)) {
          const desc = Object.getOwnPropertyDescriptor(proto, key)!;
          if (key !== 'constructor' && typeof desc.value === 'function') methods.add(key);
        }
      }
      let w = world();
      let target = make(w) as Record<string, (...a: unknown[]) => unknown>;
      for (const method of [...methods].filter((m) => !INTERNAL.has(m) && !/^on[A-Z]/.test(m))) {
        for (const [label, value] of HOSTILE) {
          for (const args of [[value()], [value(), value()], [core.zeros([1]), value()]]) {
            const before = w.state();
            let threw = false;
            await check(`${cls}.${method}(${label} x${args.length})`, () => {
              try {
                return target[method]!(...args);
              } catch (e) {
                threw = true;
                throw e;
              }
            }, failures);
            if (threw && w.state() !== before) failures.push(`${cls}.${method}(${label} x${args.length}) threw but changed the state`);
            // A valid call may change the state (step()); the next starts from a fresh world.
            if (w.state() !== before) {
              w = world();
              target = make(w) as Record<string, (...a: unknown[]) => unknown>;
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('loadStateDict validates every source before writing any parameter', () => {
    const w = world();
    const before = w.state();
    const dict = w.model.stateDict() as Record<string, Tensor>;
    const names = Object.keys(dict);
    // The first parameters are fine copies of other values; the last is forged.
    const sources: Record<string, Tensor> = {};
    for (const name of names) sources[name] = core.onesLike(dict[name]!);
    sources[names[names.length - 1]!] = forged(dict[names[names.length - 1]!]!.shape, new Float32Array(10_000));
    expect(() => w.model.loadStateDict(sources)).toThrow(RecurrentError);
    expect(w.state()).toEqual(before);
  });

  it('checkpoints: BigInt or cyclic extra, missing model or optimizer, and no file is written', () => {
    const w = world();
    const path = join(dir, 'never.safetensors');
    for (const parts of [
      { model: w.model, extra: { n: 1n } },
      { model: w.model, extra: cyclicObject() },
      { model: w.model, extra: { toJSON: () => { throw new Error('boom'); } } },
      { model: w.model, extra: [1, 2] },
      { optimizer: w.optimizer },
      { model: undefined, optimizer: w.optimizer },
      { model: w.model, optimizer: {} },
      { model: w.model, generators: { a: {} } },
      { model: w.model, generators: cyclicObject() },
    ]) {
      expect(() => node.saveCheckpoint(path, parts as never), JSON.stringify(Object.keys(parts))).toThrow(RecurrentError);
    }
    expect(() => readFileSync(path)).toThrow();
    const bytes = core.encodeCheckpoint({ model: w.model, optimizer: w.optimizer });
    const before = w.state();
    for (const targets of [{}, { optimizer: w.optimizer }, { model: w.model, optimizer: null }, { model: w.model, optimizer: 1n }, undefined, null, cyclicObject()]) {
      expect(() => core.restoreCheckpoint(bytes, targets as never)).toThrow(RecurrentError);
    }
    expect(w.state()).toEqual(before);
  });
});

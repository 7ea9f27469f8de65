/**
 * Every public entry point, driven with random wrong arguments (wrong types, negative,
 * fractional or huge sizes, NaN, mismatched or empty tensors): each call either throws the
 * library's RecurrentError, never a TypeError from deep inside, and leaves every tensor,
 * model and optimizer it touched byte for byte as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as R from '../../src/index.js';
import { F, Generator, RecurrentError, Tensor, nn, optim, safetensors } from '../../src/index.js';

/** Values that are wrong for almost every argument. */
const WRONG: unknown[] = [
  undefined, null, NaN, Infinity, -Infinity, -1, 0.5, 1.5, -3, 2 ** 40, 2 ** 53, '3', 'abc', true, {}, [], [NaN], [-1], [1.5],
  [2 ** 31, 2 ** 31], () => 1, Symbol('x'), 10n,
];

/** Wrong tensors: empty, scalar, mismatched, non-finite. */
function wrongTensors(): Tensor[] {
  const nonFinite = R.zeros([2, 3]);
  nonFinite.data[1] = NaN;
  return [R.zeros([0]), R.zeros([]), R.zeros([7]), R.zeros([2, 9, 4]), R.zeros([1, 1, 1, 1]), nonFinite, R.zeros([3, 0, 2])];
}

interface Entry {
  name: string;
  /** Builds fresh valid arguments, the call, and everything whose bytes must not change. */
  setup(): { args: unknown[]; touched: () => Float32Array[]; call(args: unknown[]): unknown };
}

const t23 = () => R.randn([2, 3], { generator: new Generator(1) });
const lstm = () => new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 });
const paramsOf = (m: nn.Module) => () => m.parameters().map((p) => p.data);

function tensorsIn(args: unknown[]): Float32Array[] {
  return args.flatMap((a) => (a instanceof Tensor ? [a.data] : Array.isArray(a) ? a.filter((x): x is Tensor => x instanceof Tensor).map((x) => x.data) : []));
}

function simple(name: string, valid: () => unknown[], call: (args: unknown[]) => unknown): Entry {
  return {
    name,
    setup() {
      const args = valid();
      return { args, touched: () => tensorsIn(args), call };
    },
  };
}

const ENTRIES: Entry[] = [
  simple('tensor', () => [[[1, 2], [3, 4]], [2, 2]], ([d, s]) => R.tensor(d as number[], s as number[])),
  simple('zeros', () => [[2, 3]], ([s]) => R.zeros(s as number[])),
  simple('full', () => [[2, 3], 1], ([s, v]) => R.full(s as number[], v as number)),
  simple('arange', () => [0, 5, 1], ([a, b, c]) => R.arange(a as number, b as number, c as number)),
  simple('eye', () => [3, 3], ([a, b]) => R.eye(a as number, b as number)),
  simple('randn', () => [[2, 3], { generator: new Generator(1) }], ([s, o]) => R.randn(s as number[], o as R.RandomOptions)),
  simple('randint', () => [0, 5, [3]], ([a, b, s]) => R.randint(a as number, b as number, s as number[])),
  simple('add', () => [t23(), t23()], ([a, b]) => R.add(a as Tensor, b as Tensor)),
  simple('mul', () => [t23(), 2], ([a, b]) => R.mul(a as Tensor, b as Tensor)),
  simple('pow', () => [t23(), 2], ([a, b]) => R.pow(a as Tensor, b as Tensor)),
  simple('where', () => [R.ones([2, 3]), t23(), t23()], ([c, a, b]) => R.where(c as Tensor, a as Tensor, b as Tensor)),
  simple('maskedFill', () => [t23(), R.ones([2, 3]), 0], ([x, m, v]) => R.maskedFill(x as Tensor, m as Tensor, v as number)),
  simple('clamp', () => [t23(), -1, 1], ([x, a, b]) => R.clamp(x as Tensor, a as number, b as number)),
  simple('exp', () => [t23()], ([x]) => R.exp(x as Tensor)),
  simple('tanh', () => [t23()], ([x]) => R.tanh(x as Tensor)),
  simple('matmul', () => [t23(), R.randn([3, 4])], ([a, b]) => R.matmul(a as Tensor, b as Tensor)),
  simple('sum', () => [t23(), 1, false], ([x, d, k]) => R.sum(x as Tensor, d as number, k as boolean)),
  simple('mean', () => [t23(), 0], ([x, d]) => R.mean(x as Tensor, d as number)),
  simple('max', () => [t23(), 1], ([x, d]) => R.max(x as Tensor, d as number)),
  simple('argmax', () => [t23(), 1], ([x, d]) => R.argmax(x as Tensor, d as number)),
  simple('softmax', () => [t23(), 1], ([x, d]) => R.softmax(x as Tensor, d as number)),
  simple('logSoftmax', () => [t23(), 1], ([x, d]) => R.logSoftmax(x as Tensor, d as number)),
  simple('logsumexp', () => [t23(), 1], ([x, d]) => R.logsumexp(x as Tensor, d as number)),
  simple('reshape', () => [t23(), [3, 2]], ([x, s]) => R.reshape(x as Tensor, s as number[])),
  simple('expand', () => [R.ones([1, 3]), [4, 3]], ([x, s]) => R.expand(x as Tensor, s as number[])),
  simple('transpose', () => [t23(), 0, 1], ([x, a, b]) => R.transpose(x as Tensor, a as number, b as number)),
  simple('permute', () => [t23(), [1, 0]], ([x, p]) => R.permute(x as Tensor, p as number[])),
  simple('squeeze', () => [R.ones([1, 3]), 0], ([x, d]) => R.squeeze(x as Tensor, d as number)),
  simple('unsqueeze', () => [t23(), 0], ([x, d]) => R.unsqueeze(x as Tensor, d as number)),
  simple('narrow', () => [t23(), 1, 0, 2], ([x, d, s, l]) => R.narrow(x as Tensor, d as number, s as number, l as number)),
  simple('slice', () => [t23(), 1, 0, 2], ([x, d, s, e]) => R.slice(x as Tensor, d as number, s as number, e as number)),
  simple('select', () => [t23(), 0, 1], ([x, d, i]) => R.select(x as Tensor, d as number, i as number)),
  simple('cat', () => [[t23(), t23()], 0], ([ts, d]) => R.cat(ts as Tensor[], d as number)),
  simple('stack', () => [[t23(), t23()], 0], ([ts, d]) => R.stack(ts as Tensor[], d as number)),
  simple('split', () => [t23(), 1, 1], ([x, s, d]) => R.split(x as Tensor, s as number, d as number)),
  simple('chunk', () => [t23(), 2, 1], ([x, c, d]) => R.chunk(x as Tensor, c as number, d as number)),
  simple('indexSelect', () => [t23(), 1, [0, 2]], ([x, d, i]) => R.indexSelect(x as Tensor, d as number, i as number[])),
  simple('gather', () => [t23(), 1, R.tensor([[0], [2]])], ([x, d, i]) => R.gather(x as Tensor, d as number, i as Tensor)),
  simple('linear', () => [t23(), R.randn([4, 3]), R.randn([4])], ([x, w, b]) => R.linear(x as Tensor, w as Tensor, b as Tensor)),
  simple('dropout', () => [t23(), 0.5, true], ([x, p, t]) => R.dropout(x as Tensor, p as number, t as boolean)),
  simple('backward', () => [R.randn([2], { requiresGrad: true }).mul(2), R.ones([2])], ([y, g]) => R.backward(y as Tensor, g as Tensor)),
  simple('gradcheck', () => [(x: Tensor) => x.tanh(), [t23()]], ([f, xs]) => R.gradcheck(f as (x: Tensor) => Tensor, xs as Tensor[])),
  simple('F.mseLoss', () => [t23(), t23(), { reduction: 'mean' }], ([a, b, o]) => F.mseLoss(a as Tensor, b as Tensor, o as F.MseLossOptions)),
  simple('F.crossEntropy', () => [t23(), [0, 2], { reduction: 'sum' }], ([a, b, o]) => F.crossEntropy(a as Tensor, b as number[], o as F.CrossEntropyOptions)),
  simple('F.nllLoss', () => [t23().logSoftmax(1), [1, 0]], ([a, b]) => F.nllLoss(a as Tensor, b as number[])),
  simple('F.binaryCrossEntropyWithLogits', () => [t23(), R.ones([2, 3])], ([a, b]) => F.binaryCrossEntropyWithLogits(a as Tensor, b as Tensor)),
  simple('F.ctcLoss', () => [R.randn([5, 1, 3]).logSoftmax(2), R.tensor([[1, 2]]), [5], [2]], ([a, b, c, d]) => F.ctcLoss(a as Tensor, b as Tensor, c as number[], d as number[])),
  simple('safetensors.save', () => [{ a: t23() }, { k: 'v' }], ([d, m]) => safetensors.save(d as Record<string, Tensor>, m as Record<string, string>)),
  simple('safetensors.load', () => [safetensors.save({ a: t23() })], ([b]) => safetensors.load(b as Uint8Array)),
  simple('Generator', () => [5], ([s]) => new Generator(s as number)),
  simple('manualSeed', () => [5], ([s]) => R.manualSeed(s as number)),
  simple('nn.Linear', () => [{ inFeatures: 3, outFeatures: 2, bias: true }], ([o]) => new nn.Linear(o as nn.LinearOptions)),
  simple('nn.Embedding', () => [{ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 0 }], ([o]) => new nn.Embedding(o as nn.EmbeddingOptions)),
  simple('nn.Dropout', () => [{ p: 0.3 }], ([o]) => new nn.Dropout(o as nn.DropoutOptions)),
  simple('nn.LSTM', () => [{ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.1 }], ([o]) => new nn.LSTM(o as nn.RecurrentOptions)),
  simple('nn.GRUCell', () => [{ inputSize: 3, hiddenSize: 4 }], ([o]) => new nn.GRUCell(o as nn.CellOptions)),
  simple('optim.Adam', () => [[R.zeros([2], { requiresGrad: true })], { lr: 0.1, betas: [0.9, 0.99] }], ([p, o]) => new optim.Adam(p as Tensor[], o as optim.AdamOptions)),
  simple('optim.SGD', () => [[R.zeros([2], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 }], ([p, o]) => new optim.SGD(p as Tensor[], o as optim.SGDOptions)),
  {
    name: 'LSTM.forward',
    setup() {
      const m = lstm();
      const args = [R.randn([5, 2, 3]), { h0: R.zeros([4, 2, 4]), c0: R.zeros([4, 2, 4]), lengths: [5, 3] }];
      return { args, touched: () => [...paramsOf(m)(), ...tensorsIn(args)], call: ([x, o]) => m.forward(x as Tensor, o as nn.LSTMForwardOptions) };
    },
  },
  {
    name: 'GRUCell.forward',
    setup() {
      const m = new nn.GRUCell({ inputSize: 3, hiddenSize: 4 });
      const args = [R.randn([2, 3]), R.zeros([2, 4])];
      return { args, touched: () => [...paramsOf(m)(), ...tensorsIn(args)], call: ([x, h]) => m.forward(x as Tensor, h as Tensor) };
    },
  },
  {
    name: 'Embedding.forward',
    setup() {
      const m = new nn.Embedding({ numEmbeddings: 5, embeddingDim: 2 });
      return { args: [[0, 4, 2]], touched: paramsOf(m), call: ([ids]) => m.forward(ids as number[]) };
    },
  },
];

/** Entries whose call needs model or optimizer state that must be compared before and after. */
function stateful(): { name: string; run: (wrong: unknown, slot: number) => { call: () => unknown; state: () => Float32Array[] } }[] {
  return [
    {
      name: 'Module.loadStateDict',
      run: (wrong) => {
        const m = lstm();
        const dict: Record<string, unknown> = { ...m.stateDict() };
        const keys = Object.keys(dict);
        dict[keys[(keys.length * 7) % keys.length]] = wrong;
        return { call: () => m.loadStateDict(dict as nn.StateDict), state: paramsOf(m) };
      },
    },
    {
      name: 'Optimizer.step (wrong grad)',
      run: (wrong) => {
        const p = R.randn([3, 2], { requiresGrad: true });
        const opt = new optim.Adam([p], { lr: 0.1 });
        p.grad = R.ones([3, 2]);
        opt.step();
        p.grad = wrong instanceof Tensor ? wrong : R.zeros([2, 3]);
        return { call: () => opt.step(), state: () => [p.data, ...Object.values(opt.stateDict().state).flatMap((s) => Object.values(s).filter((v): v is number[] => Array.isArray(v)).map((v) => Float32Array.from(v)))] };
      },
    },
    {
      name: 'Optimizer.loadStateDict',
      run: (wrong, slot) => {
        const p = R.randn([3, 2], { requiresGrad: true });
        const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
        p.grad = R.ones([3, 2]);
        opt.step();
        const sd = JSON.parse(JSON.stringify(opt.stateDict()));
        if (slot % 2 === 0) sd.state['0'].momentumBuffer = wrong;
        else sd.paramGroups[0].lr = wrong;
        return { call: () => opt.loadStateDict(sd), state: () => [p.data, Float32Array.from(opt.stateDict().state['0'].momentumBuffer as number[]), Float32Array.of(opt.paramGroups[0].lr)] };
      },
    },
    {
      name: 'optim.clipGradNorm',
      run: (wrong, slot) => {
        const p = R.randn([3], { requiresGrad: true });
        p.grad = R.ones([3]);
        return { call: () => optim.clipGradNorm(slot % 2 ? [p] : (wrong as Tensor[]), slot % 2 ? (wrong as number) : 1), state: () => [p.data, p.grad!.data] };
      },
    },
    {
      name: 'restoreCheckpoint',
      run: (wrong) => {
        const m = new nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
        return { call: () => R.restoreCheckpoint(wrong as Uint8Array, { model: m }), state: paramsOf(m) };
      },
    },
  ];
}

const snapshot = (arrays: Float32Array[]) => arrays.map((a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));

function expectLibraryError(name: string, call: () => unknown): boolean {
  try {
    call();
    return false;
  } catch (e) {
    if (!(e instanceof RecurrentError)) throw new Error(`${name}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.message.startsWith(`${e.op}: `)).toBe(true);
    return true;
  }
}

describe('bad input everywhere gives a RecurrentError and changes nothing', () => {
  const wrongValue = fc.oneof(fc.constantFrom(...WRONG), fc.constantFrom(...wrongTensors()));

  it('the functions, constructors and forwards', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENTRIES), fc.nat(), wrongValue, (entry, slotSeed, wrong) => {
        const { args, touched, call } = entry.setup();
        const slot = slotSeed % args.length;
        const before = snapshot(touched());
        const bad = [...args];
        bad[slot] = wrong;
        expectLibraryError(`${entry.name}(arg ${slot} = ${String(wrong)})`, () => call(bad));
        expect(snapshot(touched())).toEqual(before);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('the stateful entry points leave models and optimizers byte for byte as they were', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stateful()), fc.nat(), wrongValue, (entry, slot, wrong) => {
        const { call, state } = entry.run(wrong, slot);
        const before = snapshot(state());
        const threw = expectLibraryError(`${entry.name}(${String(wrong)})`, call);
        if (threw) expect(snapshot(state())).toEqual(before);
      }),
      { numRuns: 1000, seed: 8 },
    );
  });
});

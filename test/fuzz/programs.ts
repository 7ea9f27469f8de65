/**
 * Seeded random programs for the differential fuzzer: every choice (sections, shapes, flags,
 * seeds of the library's generators) is drawn from the program's own seed before it touches a
 * backend, so one seed is one program whichever backend runs it. A program records every value
 * and gradient it computes, by name.
 *
 * Sections, two to five per program:
 *   linear   x Wᵀ (+ b) with W used directly or through a view, k across the 256-deep blocks,
 *            sizes 0, 1 and not multiples of 4 or 8; forward and backward
 *   matmul   batched products with broadcast batch dims and empty dims
 *   layer    RNN (tanh, relu) / LSTM / GRU, 1-2 layers, bidirectional, batchFirst, lengths,
 *            initial states, an empty batch; forward and backward
 *   cell     a few steps of an RNN/LSTM/GRU cell
 *   train    a model trained a few SGD or Adam steps, with in-place writes through views, a
 *            checkpoint restore, a loadStateDict restore, an earlyStopping-style restore
 *   grad     a gradient read as a weight between the library's in-place writes of it
 *            (a second backward accumulating, clipGradNorm, clipGradValue, zeroGrad(false))
 */
import {
  encodeCheckpoint, Generator, linear, matmul, mul, nn, noGrad, optim, randn, restoreCheckpoint, sum, Tensor, F,
} from '../../src/index.js';

/** A small deterministic PRNG (mulberry32) for the program's choices. */
export class Choices {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
}

/** What a program computed: named arrays, in order. */
export type Record_ = [string, Float32Array][];

const SIZES = [0, 1, 2, 3, 5, 8, 9, 13];
const INNER = [0, 1, 3, 4, 7, 8, 17, 255, 256, 257, 300, 513];

/** A weight as the section uses it: itself, or a view of its storage. */
function viewOf(c: Choices, w: Tensor): Tensor {
  switch (c.int(0, 3)) {
    case 0: return w;
    case 1: return w.reshape(w.shape.slice());
    case 2: return w.detach();
    default: return new Tensor(w.data.subarray(0, w.data.length), w.shape);
  }
}

/** sum(y ⊙ r) for a fixed random r: a loss whose gradient reaches every entry of y. */
function weightedSum(y: Tensor, g: Generator): Tensor {
  return sum(mul(y, randn(y.shape.slice(), { generator: g })));
}

function linearSection(c: Choices, out: Record_, tag: string): void {
  const g = new Generator(c.int(0, 1e6));
  const lead = c.bool(0.3) ? [c.pick(SIZES), c.pick([1, 2, 3])] : [c.pick(SIZES)];
  const k = c.pick(INNER);
  const n = c.pick(SIZES.filter((s) => s > 0));
  const withBias = c.bool();
  const view = c.int(0, 3);
  const x = randn([...lead, k], { generator: g }).requiresGrad_();
  const w = randn([n, k], { generator: g }).requiresGrad_();
  const b = withBias ? randn([n], { generator: g }).requiresGrad_() : null;
  const used = view === 2 ? w.detach() : view === 3 ? new Tensor(w.data.subarray(0, w.data.length), w.shape) : view === 1 ? w.reshape([n, k]) : w;
  const y = linear(x, used, b);
  out.push([`${tag} y`, y.data.slice()]);
  weightedSum(y, g).backward();
  out.push([`${tag} dx`, x.grad!.data.slice()]);
  if (w.grad) out.push([`${tag} dW`, w.grad.data.slice()]);
  if (b) out.push([`${tag} db`, b.grad!.data.slice()]);
}

function matmulSection(c: Choices, out: Record_, tag: string): void {
  const g = new Generator(c.int(0, 1e6));
  const [m, k, n] = [c.pick(SIZES), c.pick(INNER.slice(0, 9)), c.pick(SIZES)];
  const batchA = c.pick([[], [2], [1], [3, 1]]);
  const batchB = c.pick([[], [2], [1], [1, 2]].filter((bb) => bb.length === 0 || batchA.length === 0 || bb[bb.length - 1] === 1 || batchA[batchA.length - 1] === 1 || bb[bb.length - 1] === batchA[batchA.length - 1]));
  const a = randn([...batchA, m, k], { generator: g }).requiresGrad_();
  const b = randn([...batchB, k, n], { generator: g }).requiresGrad_();
  const y = matmul(a, b);
  out.push([`${tag} y`, y.data.slice()]);
  weightedSum(y, g).backward();
  out.push([`${tag} da`, a.grad!.data.slice()], [`${tag} db`, b.grad!.data.slice()]);
}

function layerSection(c: Choices, out: Record_, tag: string): void {
  const kind = c.pick(['LSTM', 'GRU', 'RNNtanh', 'RNNrelu'] as const);
  const [I, H] = [c.pick([0, 1, 2, 3, 5, 8, 9]), c.pick([1, 2, 3, 5, 8, 9])];
  const numLayers = c.int(1, 2);
  const bidirectional = c.bool();
  const batchFirst = c.bool();
  const [T, B] = [c.pick([1, 2, 5, 7]), c.pick([0, 1, 2, 3, 5])];
  const withLengths = B > 0 && c.bool(0.4);
  const withState = c.bool(0.4);
  const seed = c.int(0, 1e6);
  const options = { inputSize: I, hiddenSize: H, numLayers, bidirectional, batchFirst, seed };
  const layer = kind === 'LSTM' ? new nn.LSTM(options) : kind === 'GRU' ? new nn.GRU(options) : new nn.RNN({ ...options, nonlinearity: kind === 'RNNrelu' ? 'relu' : 'tanh' });
  const g = new Generator(seed + 1);
  const x = randn(batchFirst ? [B, T, I] : [T, B, I], { generator: g }).requiresGrad_();
  const lengths = withLengths ? Array.from({ length: B }, () => c.int(1, T)) : undefined;
  const D = bidirectional ? 2 : 1;
  const h0 = withState ? randn([numLayers * D, B, H], { generator: g }).requiresGrad_() : undefined;
  const c0 = withState && kind === 'LSTM' ? randn([numLayers * D, B, H], { generator: g }).requiresGrad_() : undefined;
  const r = layer instanceof nn.LSTM ? layer.forward(x, { h0, c0, lengths }) : layer.forward(x, { h0, lengths });
  out.push([`${tag} ${kind} output`, r.output.data.slice()], [`${tag} h`, r.h.data.slice()]);
  sum(F.mseLoss(r.output, randn(r.output.shape.slice(), { generator: g }), { reduction: 'sum' })).add(weightedSum(r.h, g)).backward();
  out.push([`${tag} dx`, x.grad!.data.slice()]);
  if (h0) out.push([`${tag} dh0`, h0.grad!.data.slice()]);
  layer.parameters().forEach((p, i) => out.push([`${tag} dparam${i}`, p.grad!.data.slice()]));
}

function cellSection(c: Choices, out: Record_, tag: string): void {
  const kind = c.pick(['LSTMCell', 'GRUCell', 'RNNCell'] as const);
  const [I, H, B] = [c.pick([0, 1, 3, 5, 8]), c.pick([1, 3, 4, 9]), c.pick([0, 1, 2, 5])];
  const seed = c.int(0, 1e6);
  const steps = c.int(1, 3);
  const cell = kind === 'LSTMCell' ? new nn.LSTMCell({ inputSize: I, hiddenSize: H, seed }) : kind === 'GRUCell' ? new nn.GRUCell({ inputSize: I, hiddenSize: H, seed }) : new nn.RNNCell({ inputSize: I, hiddenSize: H, seed });
  const g = new Generator(seed + 1);
  let h: Tensor | undefined;
  let cc: Tensor | undefined;
  let total: Tensor | null = null;
  for (let s = 0; s < steps; s++) {
    const x = randn([B, I], { generator: g });
    if (cell instanceof nn.LSTMCell) ({ h, c: cc } = cell.forward(x, { h, c: cc }));
    else h = cell.forward(x, h);
    out.push([`${tag} ${kind} h${s}`, h!.data.slice()]);
    const term = weightedSum(h!, g);
    total = total === null ? term : total.add(term);
  }
  total!.backward();
  cell.parameters().forEach((p, i) => out.push([`${tag} dparam${i}`, p.grad!.data.slice()]));
}

/** An LSTM or GRU with a Linear head over characters: a small language model. */
class CharModel extends nn.Module {
  readonly embed: nn.Embedding;
  readonly rnn: nn.LSTM | nn.GRU;
  readonly head: nn.Linear;
  constructor(vocab: number, E: number, H: number, lstm: boolean, seed: number) {
    super();
    this.embed = new nn.Embedding({ numEmbeddings: vocab, embeddingDim: E, seed });
    this.rnn = lstm ? new nn.LSTM({ inputSize: E, hiddenSize: H, batchFirst: true, seed: seed + 1 }) : new nn.GRU({ inputSize: E, hiddenSize: H, batchFirst: true, seed: seed + 1 });
    this.head = new nn.Linear({ inFeatures: H, outFeatures: vocab, seed: seed + 2 });
  }
  forward(ids: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(this.embed.forward(ids)).output);
  }
}

function trainSection(c: Choices, out: Record_, tag: string): void {
  const [vocab, E, H, B, T] = [c.pick([2, 5, 9]), c.pick([1, 3, 8]), c.pick([3, 8, 9]), c.pick([1, 2, 4]), c.pick([1, 3, 6])];
  const seed = c.int(0, 1e6);
  const model = new CharModel(vocab, E, H, c.bool(), seed);
  const adam = c.bool();
  // SGD with a large step and Adam with a large eps: updates large enough that a stale pack
  // shows, and smooth in the gradients, so that rounding differences stay rounding differences.
  const optimizer = adam ? new optim.Adam(model.parameters(), { lr: 0.05, eps: 1 }) : new optim.SGD(model.parameters(), { lr: 0.5 });
  const g = new Generator(seed + 3);
  const ids = new Tensor(Float32Array.from({ length: B * T }, () => g.randint(0, vocab)), [B, T]);
  const targets = new Tensor(Float32Array.from({ length: B * T }, () => g.randint(0, vocab)), [B * T]);
  const outputs = (what: string) => out.push([`${tag} ${what}`, noGrad(() => model.forward(ids)).data.slice()]);
  const steps = c.int(1, 4);
  const saveAt = c.int(0, steps - 1);
  const writeAt = c.int(0, steps - 1);
  const restore = c.pick(['checkpoint', 'loadStateDict', 'none'] as const);
  let saved: Uint8Array | null = null;
  let savedState: Record<string, Tensor> | null = null;
  for (let s = 0; s < steps; s++) {
    if (s === saveAt) {
      outputs('at the save');
      saved = encodeCheckpoint({ model, optimizer, step: s });
      savedState = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
    }
    if (s === writeAt) {
      // An in-place write through a view of a weight, marked on the view.
      const w = model.head.weight;
      const view = viewOf(c, w);
      view.data[c.int(0, view.data.length - 1)] += 1;
      view.markModified();
    }
    optimizer.zeroGrad();
    const loss = F.crossEntropy(model.forward(ids).reshape([B * T, vocab]), targets);
    out.push([`${tag} loss ${s}`, Float32Array.of(loss.item())]);
    loss.backward();
    optimizer.step();
    outputs(`after step ${s}`);
  }
  if (restore === 'checkpoint') restoreCheckpoint(saved!, { model, optimizer });
  else if (restore === 'loadStateDict') model.loadStateDict(savedState!);
  if (restore !== 'none') outputs(`after the ${restore} restore`);
}

function gradSection(c: Choices, out: Record_, tag: string): void {
  const g = new Generator(c.int(0, 1e6));
  const [m, k, n] = [c.pick(SIZES.filter((s) => s > 0)), c.pick(INNER.filter((s) => s > 0)), c.pick(SIZES.filter((s) => s > 0))];
  const p = randn([n, k], { generator: g }).requiresGrad_();
  const x = randn([m, k], { generator: g });
  const backwardOnce = () => weightedSum(linear(x, p), g).backward();
  backwardOnce();
  const writes: [string, () => void][] = [
    ['backward', backwardOnce],
    ['clipGradNorm', () => optim.clipGradNorm([p], c.pick([1e-3, 1, 1e3]))],
    ['clipGradValue', () => optim.clipGradValue([p], c.pick([1e-4, 0.1, 10]))],
    ['zeroGrad(false)', () => new optim.SGD([p], { lr: 0.1 }).zeroGrad(false)],
  ];
  for (let i = c.int(1, 4); i > 0; i--) {
    // read through the gradient itself or a view of its storage: WASM packs it here
    out.push([`${tag} x gradᵀ`, noGrad(() => linear(x, viewOf(c, p.grad!))).data.slice()]);
    const [name, write] = c.pick(writes);
    write();
    out.push([`${tag} x gradᵀ after ${name}`, noGrad(() => linear(x, viewOf(c, p.grad!))).data.slice()]);
  }
}

const SECTIONS = [linearSection, matmulSection, layerSection, cellSection, trainSection, gradSection];

/** Runs program `seed` on the active backend and returns what it computed. */
export function runProgram(seed: number): Record_ {
  const c = new Choices(seed);
  const out: Record_ = [];
  const count = c.int(2, 5);
  for (let i = 0; i < count; i++) c.pick(SECTIONS)(c, out, `#${i}`);
  return out;
}

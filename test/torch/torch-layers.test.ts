/**
 * Recurrent layers against the real PyTorch, weights moving both ways as safetensors:
 *  - weights made here, loaded by torch.nn.LSTM & co. (load_state_dict, names as they are):
 *    the same outputs, final states, and gradients of every weight and input after one
 *    backward;
 *  - weights torch initialised and wrote, loaded here (loadStateDict): the same again.
 * Multi-layer, bidirectional, batchFirst, initial states, and lengths (pack_padded_sequence in
 * torch). torch runs once for all cases (test/torch/layers.py).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { nn, randn, safetensors, type Tensor } from '../../src/index.js';
import { engineSuite, PYTHON, torchSkipReason } from '../engines.js';
import { expectClose } from '../helpers.js';
import { run } from '../runtimes/helpers.js';
import { LAYER } from '../tolerances.js';

interface Case {
  kind: 'LSTM' | 'GRU' | 'RNN';
  relu?: boolean;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  bias?: boolean;
  lengths: number[] | null;
}

const CASES: Case[] = [
  { kind: 'LSTM', numLayers: 2, bidirectional: true, batchFirst: true, lengths: [5, 2, 4] },
  { kind: 'LSTM', numLayers: 1, bidirectional: false, batchFirst: false, lengths: null },
  { kind: 'GRU', numLayers: 2, bidirectional: true, batchFirst: false, lengths: [3, 5, 1] },
  { kind: 'GRU', numLayers: 3, bidirectional: false, batchFirst: true, bias: false, lengths: null },
  { kind: 'RNN', numLayers: 2, bidirectional: true, batchFirst: true, lengths: [4, 5, 2] },
  { kind: 'RNN', relu: true, numLayers: 2, bidirectional: false, batchFirst: false, lengths: [2, 5, 5] },
];
const DIRECTIONS = ['here -> torch', 'torch -> here'] as const;
const [B, T, I, H] = [3, 5, 4, 6];

function makeLayer(c: Case, seed: number): nn.RNN | nn.LSTM | nn.GRU {
  const options = { inputSize: I, hiddenSize: H, numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias ?? true, seed };
  return c.kind === 'LSTM' ? new nn.LSTM(options) : c.kind === 'GRU' ? new nn.GRU(options) : new nn.RNN({ ...options, nonlinearity: c.relu ? 'relu' : 'tanh' });
}

function torchConfig(c: Case, seed: number): string {
  const config: Record<string, unknown> = {
    kind: c.kind, seed, lengths: c.lengths, input_size: I, hidden_size: H, num_layers: c.numLayers,
    bidirectional: c.bidirectional, batch_first: c.batchFirst, bias: c.bias ?? true,
  };
  if (c.kind === 'RNN') config.nonlinearity = c.relu ? 'relu' : 'tanh';
  return JSON.stringify(config);
}

interface Prepared {
  name: string;
  c: Case;
  direction: (typeof DIRECTIONS)[number];
  layer: nn.RNN | nn.LSTM | nn.GRU;
  inputs: Record<string, Tensor>;
}

let dir = '';
const prepared: Prepared[] = [];

/** This library's outputs and gradients for the same loss as layers.py. */
function computeHere(p: Prepared): Record<string, Tensor> {
  const { layer, inputs } = p;
  const x = inputs.x.detach().requiresGrad_();
  const h0 = inputs.h0.detach().requiresGrad_();
  const c0 = inputs.c0.detach().requiresGrad_();
  const lengths = p.c.lengths ?? undefined;
  layer.zeroGrad();
  const r = layer instanceof nn.LSTM ? layer.forward(x, { h0, c0, lengths }) : layer.forward(x, { h0, lengths });
  const c = (r as { c?: Tensor }).c;
  let loss = r.output.mul(inputs.gout).sum().add(r.h.mul(inputs.gh).sum());
  if (c) loss = loss.add(c.mul(inputs.gc).sum());
  loss.backward();
  const out: Record<string, Tensor> = { output: r.output, h: r.h, 'grad.x': x.grad!, 'grad.h0': h0.grad! };
  if (c) Object.assign(out, { c, 'grad.c0': c0.grad! });
  for (const [name, param] of layer.namedParameters()) out[`grad.${name}`] = param.grad!;
  return out;
}

engineSuite('recurrent layers against PyTorch', torchSkipReason, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recurrent-torch-'));
    CASES.forEach((c, i) => {
      for (const direction of DIRECTIONS) {
        const name = `${i}-${direction === 'here -> torch' ? 'here' : 'torch'}`;
        const layer = makeLayer(c, 10 + i);
        const LD = c.numLayers * (c.bidirectional ? 2 : 1);
        const xShape = c.batchFirst ? [B, T, I] : [T, B, I];
        const inputs = { x: randn(xShape), h0: randn([LD, B, H]), c0: randn([LD, B, H]), gout: randn([...xShape.slice(0, 2), (c.bidirectional ? 2 : 1) * H]), gh: randn([LD, B, H]), gc: randn([LD, B, H]) };
        const weights = direction === 'here -> torch' ? layer.stateDict() : {};
        writeFileSync(join(dir, `${name}.in.safetensors`), safetensors.save({ ...weights, ...inputs }, { config: torchConfig(c, i) }));
        prepared.push({ name, c, direction, layer, inputs });
      }
    });
    await run(PYTHON, [join(import.meta.dirname, 'layers.py'), dir], { timeoutMs: 120_000 });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  CASES.forEach((c, i) => {
    for (const direction of DIRECTIONS) {
      const what = `${c.kind}${c.relu ? ' relu' : ''}, ${c.numLayers} layers${c.bidirectional ? ', bidirectional' : ''}${c.batchFirst ? ', batchFirst' : ''}${c.bias === false ? ', no bias' : ''}${c.lengths ? ', lengths' : ''}`;
      it(`${direction}: ${what}`, () => {
        const p = prepared.find((q) => q.name === `${i}-${direction === 'here -> torch' ? 'here' : 'torch'}`)!;
        const torchOut = safetensors.load(readFileSync(join(dir, `${p.name}.out.safetensors`)));
        if (direction === 'torch -> here') {
          // torch's own initial weights, loaded by their names as torch wrote them.
          const weights = Object.fromEntries(p.layer.namedParameters().map(([name]) => [name, torchOut[name]]));
          p.layer.loadStateDict(weights);
        }
        const here = computeHere(p);
        for (const [name, t] of Object.entries(here)) expectClose(t, torchOut[name], LAYER, name);
      });
    }
  });
});

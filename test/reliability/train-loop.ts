/**
 * Child process for the crash test: trains a small GRU and writes a checkpoint after every
 * step, forever (until killed) or until --until N. Before each write it prints
 * `saving <step> <fnv1a of the bytes>`; with --until it prints `final <fnv1a of the parameters>`.
 *   node train-loop.mjs DIR [--resume] [--until N]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { F, Generator, encodeCheckpoint, nn, optim, randn, type Tensor } from '../../src/index.js';
import { loadCheckpoint, writeFileAtomic } from '../../src/node/index.js';

const [dir, ...flags] = process.argv.slice(2);
const until = flags.includes('--until') ? Number(flags[flags.indexOf('--until') + 1]) : Infinity;
const path = join(dir, 'checkpoint.safetensors');

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16);
}

class Model extends nn.Module {
  gru = new nn.GRU({ inputSize: 2, hiddenSize: 16, batchFirst: true, numLayers: 2, dropout: 0.1, seed: 1 });
  head = new nn.Linear({ inFeatures: 16, outFeatures: 1, seed: 2 });
  forward(x: Tensor): Tensor {
    return this.head.forward(this.gru.forward(x).output);
  }
}
const model = new Model();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
const data = new Generator(3);
let step = 0;
if (flags.includes('--resume')) step = loadCheckpoint(path, { model, optimizer, generators: { data } }).step;

while (step < until) {
  const x = randn([8, 10, 2], { generator: data });
  const loss = F.mseLoss(model.forward(x), x.narrow(2, 0, 1));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  step++;
  const bytes = encodeCheckpoint({ model, optimizer, step, generators: { data } });
  process.stdout.write(`saving ${step} ${fnv1a(bytes)}\n`);
  writeFileAtomic(path, bytes);
}
const params = model.parameters().map((p) => new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength));
const all = new Uint8Array(params.reduce((n, p) => n + p.length, 0));
let offset = 0;
for (const p of params) {
  all.set(p, offset);
  offset += p.length;
}
process.stdout.write(`final ${fnv1a(all)} ${fnv1a(readFileSync(path))}\n`);

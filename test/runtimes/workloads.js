/**
 * The workloads every runtime test runs, written once in plain ES2022 so that the same source
 * runs in Node, Bun, Deno, workerd, QuickJS, a browser page and a Web Worker. It is a classic
 * script (no import or export): a <script> tag, importScripts, QuickJS's evalCode and an ESM
 * side-effect import all load it, and it sets `globalThis.recurrentWorkloads`. Each workload
 * takes the library object `R` (the ESM namespace or the IIFE's global `recurrent`) and
 * returns plain JSON.
 */
(function (root) {
  'use strict';

  /** A tiny regression (many-to-one): LSTM(3, 8) -> Linear(8, 1) learns the sum of feature 0. */
  function trainLstm(R, steps) {
    const n = steps === undefined ? 8 : steps;
    const lstm = new R.nn.LSTM({ inputSize: 3, hiddenSize: 8, batchFirst: true, seed: 1 });
    const head = new R.nn.Linear({ inFeatures: 8, outFeatures: 1, seed: 2 });
    const params = [...lstm.parameters(), ...head.parameters()];
    const optimizer = new R.optim.Adam(params, { lr: 0.03 });
    const x = R.randn([16, 6, 3], { generator: new R.Generator(3) }); // (batch, steps, features)
    const y = x.sum(1).narrow(1, 0, 1); // (batch, 1)
    const losses = [];
    for (let step = 0; step < n; step++) {
      const { h } = lstm.forward(x); // h: (layers, batch, hidden)
      const loss = R.F.mseLoss(head.forward(h.select(0, 0)), y);
      optimizer.zeroGrad();
      loss.backward();
      R.optim.clipGradNorm(params, 1);
      optimizer.step();
      losses.push(loss.item());
    }
    return losses;
  }

  /** GRU(2, 4) inference on a batch given as nested arrays (B, T, 2): the output, flattened. */
  function gruInference(R, xs) {
    const gru = new R.nn.GRU({ inputSize: 2, hiddenSize: 4, batchFirst: true, seed: 5 });
    return R.noGrad(() => Array.from(gru.forward(R.tensor(xs)).output.data));
  }

  /**
   * One training step of GRU(3, 6) -> Linear(6, 2): forward, loss, backward, Adam step, then
   * the loss again with the updated weights, and a digest of the gradients and the weights.
   */
  function gruTrainStep(R) {
    const gru = new R.nn.GRU({ inputSize: 3, hiddenSize: 6, batchFirst: true, seed: 11 });
    const head = new R.nn.Linear({ inFeatures: 6, outFeatures: 2, seed: 12 });
    const params = [...gru.parameters(), ...head.parameters()];
    const optimizer = new R.optim.Adam(params, { lr: 0.01 });
    const g = new R.Generator(13);
    const x = R.randn([4, 5, 3], { generator: g });
    const y = R.randn([4, 5, 2], { generator: g });
    const lossOf = () => R.F.mseLoss(head.forward(gru.forward(x).output), y);
    const loss = lossOf();
    optimizer.zeroGrad();
    loss.backward();
    const gradNorms = params.map((p) => Math.sqrt(p.grad.data.reduce((s, v) => s + v * v, 0)));
    optimizer.step();
    const lossAfter = R.noGrad(lossOf).item();
    return { loss: loss.item(), lossAfter, gradNorms, weightIh: Array.from(gru.stateDict().weight_ih_l0.data.slice(0, 6)) };
  }

  /** safetensors round trip of a GRU state dict (needs TextEncoder and TextDecoder). */
  function safetensorsRoundTrip(R) {
    const gru = new R.nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 21 });
    const bytes = R.safetensors.save(gru.stateDict(), { format: 'pt' });
    const back = R.safetensors.load(bytes);
    const copy = new R.nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 22 });
    copy.loadStateDict(back);
    const a = gru.stateDict();
    const b = copy.stateDict();
    const same = Object.keys(a).every((k) => a[k].data.every((v, i) => v === b[k].data[i]));
    return { bytes: bytes.length, names: Object.keys(back).sort(), same };
  }

  root.recurrentWorkloads = { trainLstm, gruInference, gruTrainStep, safetensorsRoundTrip };
})(globalThis);

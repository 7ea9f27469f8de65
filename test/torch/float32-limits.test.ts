/**
 * Semantics at the edges, against the real PyTorch (python3 computes the expected values in
 * this test), on both backends:
 *  - clamp with min > max: max everywhere (min(max(x, min), max)), NaN kept, gradient zero;
 *  - products whose partial sums leave the float32 range: every partial sum rounds to float32
 *    (as PyTorch and the WebAssembly kernels compute), so the result overflows to the same
 *    Infinity with the same sign instead of a float64 intermediate's finite value of the
 *    opposite sign, in matmul and through a recurrent layer; a Linear's bias is added to the
 *    finished sum (as addmm does), so (3e38 + 3e38) - 3e38 is Infinity on both backends;
 *  - RMSprop (centered) with a gradient whose square underflows in float32: a finite step, as
 *    PyTorch takes, not NaN.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { getBackend, matmul, nn, ones, optim, setBackend, sum, tensor, type BackendName, type Tensor } from '../../src/index.js';
import { engineSuite, PYTHON, torchSkipReason } from '../engines.js';
import { expectClose } from '../helpers.js';
import { OPTIMIZER } from '../tolerances.js';

const B = 3e38;
const ROWS = [
  [B, B, -B, -B, -B],
  [-B, -B, B, B, B],
  [B, -B, B, -B, B],
  [1, B, B, -B, 2],
];

const SCRIPT = `
import json, torch
B = ${B}
rows = torch.tensor(${JSON.stringify(ROWS)}, dtype=torch.float32)
out = {}
x = torch.tensor([-2., 0., 5., float('nan'), float('inf'), -float('inf'), 1.5], requires_grad=True)
y = torch.clamp(x, min=3., max=1.)
y.sum().backward()
out['clamp'] = [str(v) for v in y.tolist()]
out['clampGrad'] = [str(v) for v in x.grad.tolist()]
out['matmul'] = [str(v) for v in (rows @ torch.ones(5, 2)).flatten().tolist()]
lin = torch.nn.Linear(2, 2)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[1., 1.], [1., -1.]]))
    lin.bias.copy_(torch.tensor([-B, B]))
    out['linear'] = [str(v) for v in lin(torch.tensor([[B, B], [B, -B], [-B, -B]])).flatten().tolist()]
rnn = torch.nn.RNN(5, 2)
with torch.no_grad():
    for p in rnn.parameters(): p.fill_(1.)
    rnn.bias_hh_l0.fill_(0.)
    rnn.bias_ih_l0.fill_(0.)
    o, h = rnn(rows.unsqueeze(1))
out['rnn'] = [str(v) for v in o.flatten().tolist()]
p = torch.zeros(2, requires_grad=True)
opt = torch.optim.RMSprop([p], lr=0.01, centered=True)
p.grad = torch.full((2,), 1e-30)
opt.step()
out['rmsprop'] = [str(v) for v in p.detach().tolist()]
print(json.dumps(out))
`;

const number = (s: string) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s));

engineSuite('float32 edges as PyTorch computes them', torchSkipReason, () => {
  let torch: Record<string, number[]> = {};
  const before = getBackend();
  afterAll(() => setBackend(before));
  it('runs PyTorch', () => {
    const r = spawnSync(PYTHON, ['-c', SCRIPT], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    torch = Object.fromEntries(Object.entries(JSON.parse(r.stdout) as Record<string, string[]>).map(([k, v]) => [k, v.map(number)]));
  });

  const values = (t: Tensor) => Array.from(t.data);

  for (const backend of ['js', 'wasm'] as BackendName[]) {
    it(`${backend}: clamp with min > max is max everywhere, NaN kept, gradient zero`, () => {
      setBackend(backend);
      const x = tensor([-2, 0, 5, 0, 0, 0, 1.5], { requiresGrad: true });
      // tensor() refuses non-finite values; put NaN and the infinities in directly.
      x.data.set([NaN, Infinity, -Infinity], 3);
      const y = x.clamp(3, 1);
      sum(y).backward();
      expect(values(y)).toEqual(torch.clamp);
      expect(values(x.grad!)).toEqual(torch.clampGrad);
    });

    it(`${backend}: products that leave the float32 range overflow with PyTorch's sign`, () => {
      setBackend(backend);
      expect(values(matmul(tensor(ROWS), ones([5, 2])))).toEqual(torch.matmul);
    });

    it(`${backend}: a Linear adds its bias to the finished sum, as PyTorch: Infinity stays Infinity`, () => {
      setBackend(backend);
      const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
      lin.weight.data.set([1, 1, 1, -1]);
      lin.bias!.data.set([-B, B]);
      lin.weight.markModified();
      lin.bias!.markModified();
      expect(values(lin.forward(tensor([[B, B], [B, -B], [-B, -B]])))).toEqual(torch.linear);
    });

    it(`${backend}: a recurrent layer fed such sums keeps PyTorch's sign`, () => {
      setBackend(backend);
      const rnn = new nn.RNN({ inputSize: 5, hiddenSize: 2 });
      for (const [name, p] of rnn.namedParameters()) p.data.fill(name.startsWith('bias') ? 0 : 1);
      for (const p of rnn.parameters()) p.markModified();
      expect(values(rnn.forward(tensor(ROWS).unsqueeze(1)).output)).toEqual(torch.rnn);
    });

    it(`${backend}: centered RMSprop takes PyTorch's finite step when the gradient's square underflows`, () => {
      setBackend(backend);
      const p = tensor([0, 0], { requiresGrad: true });
      const opt = new optim.RMSprop([p], { lr: 0.01, centered: true });
      p.grad = tensor([1e-30, 1e-30]);
      opt.step();
      // Relative only: the step is 1e-24, which any absolute tolerance would hide.
      expectClose(p, torch.rmsprop, { atol: 0, rtol: OPTIMIZER.rtol }, 'parameter');
    });
  }
});

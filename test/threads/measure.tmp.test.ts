import { it } from 'vitest';
import { ContentionGuard } from '../../src/kernels/threads.js';
import { NodeKernelPool } from '../../src/node/threads.js';
import { kernels, whenReady } from './helpers.js';
it('measures', async () => {
  const k = kernels();
  const pool = new NodeKernelPool(1, k, new ContentionGuard(Infinity));
  await whenReady(pool, 2);
  const job = [{ fn: 'columnSums', args: [0, 0, 64, 64] }];
  for (const pause of [0, 0.2, 2]) {
    const times: number[] = [];
    for (let i = 0; i < 400; i++) {
      if (pause > 0) { const until = performance.now() + pause; if (pause < 1) { while (performance.now() < until); } else await new Promise((r) => setTimeout(r, pause)); }
      const t = performance.now();
      pool.run([job, job]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`pause ${pause} ms: median ${(times[200]! * 1000).toFixed(2)} µs, p10 ${(times[40]! * 1000).toFixed(2)}, p90 ${(times[360]! * 1000).toFixed(2)}`);
  }
  pool.close();
});

/**
 * Other JavaScript engines run the ESM build as it is:
 * - Bun (JavaScriptCore) and Deno (V8, no permissions granted) run test/runtimes/run-workload.mjs,
 *   which imports dist/index.js, and train the shared LSTM workload;
 * - workerd (Cloudflare's Workers runtime) serves a Worker bundled from the ESM build that
 *   runs GRU inference on every request, on a loopback port it picks itself.
 * Each result is compared with Node's. Every child process has a hard time limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../helpers.js';
import { FAST_VS_REFERENCE } from '../tolerances.js';
import { engineBinary, ensureBuilt, expectLossFalls, killGroup, ROOT, runWorkload } from './helpers.js';

const STEPS = 12;
let node: { result: number[]; ms: number };

beforeAll(async () => {
  await ensureBuilt();
  node = await runWorkload<number[]>('node', 'trainLstm', STEPS);
  expectLossFalls(node.result, 'node');
});

describe.each(['bun', 'deno'] as const)('%s', (engine) => {
  it(`trains the LSTM workload on the ESM build with Node's losses`, async () => {
    const got = await runWorkload<number[]>(engine, 'trainLstm', STEPS);
    console.log(`${engine}: ${STEPS} LSTM steps in ${got.ms.toFixed(1)} ms (Node ${node.ms.toFixed(1)} ms); process ${got.wallMs.toFixed(0)} ms`);
    expectLossFalls(got.result, engine);
    // Same float32 program on another engine: only the last bits of Math.exp/tanh may differ.
    expectClose(got.result, node.result, FAST_VS_REFERENCE, `${engine} losses`);
  });
});

describe('bun: a longer run, for timing', () => {
  it('trains 200 steps on both engines (reported, not asserted)', async () => {
    const [b, n] = [await runWorkload<number[]>('bun', 'trainLstm', 200), await runWorkload<number[]>('node', 'trainLstm', 200)];
    console.log(`200 LSTM steps: bun ${b.ms.toFixed(0)} ms, node ${n.ms.toFixed(0)} ms (bun/node ${(b.ms / n.ms).toFixed(2)})`);
    expectClose(b.result, n.result, FAST_VS_REFERENCE, 'bun losses, 200 steps');
  });
});

describe('workerd', () => {
  it("serves GRU inference from a Worker bundled from the ESM build, equal to Node's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recurrent-workerd-'));
    const batch = [
      [[0.5, -1], [1, 2], [0, 0.25]],
      [[-0.3, 0.8], [0.1, -0.2], [2, 1]],
    ];
    try {
      // One ES module, as wrangler would upload it. workloads.js sets a global when imported;
      // the repository's "sideEffects": false must not drop that import.
      await build({
        entryPoints: [join(ROOT, 'test', 'runtimes', 'workerd-worker.js')],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        target: 'es2022',
        outfile: join(dir, 'worker.js'),
        logLevel: 'silent',
        plugins: [
          {
            name: 'workloads-has-side-effects',
            setup(b) {
              b.onResolve({ filter: /workloads\.js$/ }, (args) => ({ path: resolve(args.resolveDir, args.path), sideEffects: true }));
            },
          },
        ],
      });
      writeFileSync(
        join(dir, 'config.capnp'),
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .gru) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const gru :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-01-01",
);
`,
      );
      const started = performance.now();
      // --control-fd=3: workerd reports the port it bound as {"event":"listen","port":N}.
      const child = spawn(engineBinary('workerd'), ['serve', join(dir, 'config.capnp'), '--control-fd=3'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const limit = setTimeout(() => killGroup(child), 60_000);
      try {
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d));
        const port = await new Promise<number>((resolvePort, reject) => {
          const wait = setTimeout(() => reject(new Error(`workerd did not listen within 30 s: ${stderr}`)), 30_000);
          const lines = createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
          lines.on('line', (line) => {
            const event = JSON.parse(line) as { event: string; socket?: string; port?: number };
            if (event.event === 'listen' && event.socket === 'http') {
              clearTimeout(wait);
              resolvePort(event.port!);
            }
          });
          child.on('exit', (code) => {
            clearTimeout(wait);
            reject(new Error(`workerd exited with ${code}: ${stderr}`));
          });
        });
        const readyMs = performance.now() - started;
        const expected = await runWorkload<number[]>('node', 'gruInference', batch);
        for (let request = 0; request < 3; request++) {
          const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(batch), signal: AbortSignal.timeout(20_000) });
          const body = (await response.json()) as { output?: number[]; error?: string };
          expect(body.error).toBeUndefined();
          expect(response.status).toBe(200);
          expect(body.output!.length).toBe(2 * 3 * 4);
          expectClose(body.output!, expected.result, FAST_VS_REFERENCE, 'workerd GRU output');
        }
        console.log(`workerd: listening after ${readyMs.toFixed(0)} ms; 3 requests answered`);
      } finally {
        clearTimeout(limit);
        killGroup(child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

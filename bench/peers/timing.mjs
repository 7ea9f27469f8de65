// The one timing method every column uses (torch_bench.py implements the same rule in Python,
// with these constants passed to it, so no engine is measured differently):
//
//   1. call the function once, untimed in the result (first call: JIT, allocation, graph
//      building, optimizer state creation);
//   2. warm up: keep calling until at least MIN_WARMUP calls (the first included) AND
//      WARMUP_MS of calls are done;
//   3. estimate one call from the median of the warm-up calls after the first, and choose
//      N = round(BUDGET_MS / estimate), clamped to [MIN_RUNS, MAX_RUNS] — MIN_RUNS is
//      MIN_RUNS_SLOW (3) when one call takes longer than SLOW_MS, so a workload that takes
//      seconds per call (tfjs-cpu on C1, L1) does not take minutes;
//   4. time each of the N calls on its own (performance.now / time.perf_counter) and report the
//      median, min and max.
//
// Async functions (tfjs trainOnBatch returns a Promise) are awaited inside the timed region;
// synchronous ones are called without an await, so the tiny workloads (L3) carry no
// microtask overhead.

export const POLICY = Object.freeze({
  budgetMs: 2000,
  warmupMs: 1500,
  minWarmup: 2,
  minRuns: 5,
  minRunsSlow: 3,
  slowMs: 1000,
  maxRuns: 10000,
});

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Chooses the number of timed runs from the warm-up estimate (the rule above). */
export function chooseRuns(estimateMs, policy = POLICY) {
  const floor = estimateMs > policy.slowMs ? policy.minRunsSlow : policy.minRuns;
  const n = Math.round(policy.budgetMs / Math.max(estimateMs, 1e-6));
  return Math.min(policy.maxRuns, Math.max(floor, n));
}

/**
 * Times fn with the rule above. hooks.afterWarmup runs once between warm-up and the timed runs
 * (used to count live tfjs tensors). Returns { medianMs, minMs, maxMs, runs, warmup, firstMs }.
 */
export async function measure(fn, hooks = {}, policy = POLICY) {
  const now = () => performance.now();
  let t = now();
  let r = fn();
  const isAsync = r != null && typeof r.then === 'function';
  if (isAsync) await r;
  const firstMs = now() - t;
  const warm = [firstMs];
  let warmTotal = firstMs;
  while (warm.length < policy.minWarmup || (warmTotal < policy.warmupMs && warm.length < policy.maxRuns)) {
    t = now();
    r = fn();
    if (isAsync) await r;
    const dt = now() - t;
    warm.push(dt);
    warmTotal += dt;
  }
  hooks.afterWarmup?.();
  const runs = chooseRuns(median(warm.slice(1)), policy);
  const times = new Array(runs);
  if (isAsync) {
    for (let i = 0; i < runs; i++) {
      t = now();
      await fn();
      times[i] = now() - t;
    }
  } else {
    for (let i = 0; i < runs; i++) {
      t = now();
      fn();
      times[i] = now() - t;
    }
  }
  return {
    medianMs: round(median(times)),
    minMs: round(Math.min(...times)),
    maxMs: round(Math.max(...times)),
    runs,
    warmup: warm.length,
    firstMs: round(firstMs),
  };
}

function round(ms) {
  return +ms.toFixed(ms < 1 ? 4 : 3);
}

// Trains the shared LSTM workload with the ESM build in the page, then in a module worker, and
// leaves the losses in window.__results for the test to read.
import * as R from '../../../dist/index.js';
import '../workloads.js';

const results = { page: null, worker: null, violations: [], errors: [] };
addEventListener('securitypolicyviolation', (e) => results.violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
try {
  results.page = globalThis.recurrentWorkloads.trainLstm(R, 8);
  results.backend = R.getBackend();
  const worker = new Worker(new URL('./esm-worker.js', import.meta.url), { type: 'module' });
  results.worker = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => {
      if (e.data.error) reject(new Error(e.data.error));
      results.workerBackend = e.data.backend;
      resolve(e.data.losses);
    };
    worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
  });
  worker.terminate();
} catch (e) {
  results.errors.push(String(e && e.stack ? e.stack : e));
}
document.getElementById('out').textContent = JSON.stringify(results, null, 1);
window.__results = { ...results, done: true };

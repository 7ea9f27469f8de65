// Runs the threads check in the page, then in a module worker (whose context is isolated when
// the page is), and leaves both in window.__results for the test to read.
import { runThreads } from './threads-run.js';

/** The check in a module worker: what it posts (it posts once). */
function inWorker() {
  const worker = new Worker(new URL('./threads-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
  }).finally(() => worker.terminate());
}

const results = { page: null, worker: null, violations: [], errors: [] };
addEventListener('securitypolicyviolation', (e) => results.violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
await runThreads()
  .then((page) => (results.page = page))
  .then(inWorker)
  .then((worker) => (results.worker = worker))
  .catch((e) => results.errors.push(String(e && e.stack ? e.stack : e)));
document.getElementById('out').textContent = JSON.stringify(results, null, 1);
window.__results = { ...results, done: true };

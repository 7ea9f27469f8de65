// Module worker: the ESM build trains the shared LSTM workload off the main thread.
import * as R from '../../../dist/index.js';
import '../workloads.js';

try {
  postMessage({ losses: globalThis.recurrentWorkloads.trainLstm(R, 8), backend: R.getBackend() });
} catch (e) {
  postMessage({ error: String(e && e.stack ? e.stack : e) });
}

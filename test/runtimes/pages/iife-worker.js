// Classic worker: importScripts loads the global bundle, which defines `recurrent` here too.
importScripts('../../../dist/recurrent.global.js', '../workloads.js');
try {
  postMessage({ losses: recurrentWorkloads.trainLstm(recurrent, 8), backend: recurrent.getBackend() });
} catch (e) {
  postMessage({ error: String(e && e.stack ? e.stack : e) });
}

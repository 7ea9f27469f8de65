// Classic script: the global `recurrent` trains the shared LSTM workload in the page, then a
// classic worker does the same, and the losses end up in window.__results.
(function () {
  'use strict';
  var results = { page: null, worker: null, violations: [], errors: [], globalType: typeof recurrent };
  addEventListener('securitypolicyviolation', function (e) {
    results.violations.push(e.violatedDirective + ': ' + e.blockedURI);
  });
  function finish() {
    document.getElementById('out').textContent = JSON.stringify(results, null, 1);
    results.done = true;
    window.__results = results;
  }
  try {
    results.page = recurrentWorkloads.trainLstm(recurrent, 8);
    results.backend = recurrent.getBackend();
    try {
      recurrent.setBackend('wasm');
    } catch (e) {
      results.wasmRefused = e.name + ': ' + e.message;
    }
    var worker = new Worker('./iife-worker.js');
    worker.onmessage = function (e) {
      if (e.data.error) results.errors.push(e.data.error);
      else {
        results.worker = e.data.losses;
        results.workerBackend = e.data.backend;
      }
      worker.terminate();
      finish();
    };
    worker.onerror = function (e) {
      results.errors.push('worker: ' + e.message);
      finish();
    };
  } catch (e) {
    results.errors.push(String(e && e.stack ? e.stack : e));
    finish();
  }
})();

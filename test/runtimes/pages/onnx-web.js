// Runs ONNX models in onnxruntime-web's WASM backend for onnx-web.test.ts, which passes the
// model bytes and the inputs as plain arrays: globalThis.runOnnx(model, feeds) resolves with
// every output's dims and values. One thread (the page is not crossOriginIsolated).
import * as ort from '../node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';

ort.env.wasm.wasmPaths = new URL('../node_modules/onnxruntime-web/dist/', import.meta.url).href;
ort.env.wasm.numThreads = 1;

globalThis.runOnnx = async (model, feeds) => {
  const session = await ort.InferenceSession.create(Uint8Array.from(model), { executionProviders: ['wasm'] });
  const inputs = {};
  for (const [name, { type, data, dims }] of Object.entries(feeds)) {
    inputs[name] = new ort.Tensor(type, type === 'int64' ? BigInt64Array.from(data, BigInt) : Float32Array.from(data), dims);
  }
  const outputs = await session.run(inputs);
  const result = {};
  for (const name of session.outputNames) result[name] = { dims: Array.from(outputs[name].dims), data: Array.from(outputs[name].data) };
  await session.release();
  return { inputNames: session.inputNames, result };
};
document.getElementById('out').textContent = 'ready';

// What a React Native app does with the library, bundled for Hermes by hermes.test.ts: Metro
// resolves `recurrent` through package.json's exports with the conditions require, import and
// react-native, and the exports list 'import' first: the ESM build. Asks for the WebAssembly
// backend (Hermes has none), trains the shared LSTM workload on the JS kernels, and round-trips
// an LSTM through safetensors; prints the outcome as one line of JSON (Hermes's `print`, or
// console.log where this runs under Node for the reference numbers).
import * as R from '../../dist/index.js';
import './workloads.js';

let wasm = null;
try {
  R.setBackend('wasm');
} catch (e) {
  wasm = { recurrentError: e instanceof R.RecurrentError, message: e.message };
}
R.setBackend('js');
const losses = globalThis.recurrentWorkloads.trainLstm(R, 12);

const lstm = new R.nn.LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true, seed: 4 });
const x = R.randn([2, 4, 3], { generator: new R.Generator(9) });
const outputs = (model) => R.noGrad(() => Array.from(model.forward(x).output.data));
const bytes = R.safetensors.save(lstm.stateDict());
const copy = new R.nn.LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true, seed: 5 });
const differentBefore = outputs(copy).some((v, i) => v !== outputs(lstm)[i]);
copy.loadStateDict(R.safetensors.load(bytes));

const line = JSON.stringify({ wasm, losses, bytes: bytes.length, differentBefore, saved: outputs(lstm), reloaded: outputs(copy) });
if (typeof print === 'function') print(line);
else console.log(line);

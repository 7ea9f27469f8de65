// Runs one workload from workloads.js on the ESM build (dist/index.js) and prints
// {"result": ..., "ms": ...} as one line of JSON. The same file runs under node, bun and deno:
//   node|bun test/runtimes/run-workload.mjs trainLstm [arg as JSON]
//   deno run test/runtimes/run-workload.mjs trainLstm [arg as JSON]
import * as R from '../../dist/index.js';
import './workloads.js';

const args = (globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2));
const [name, arg] = args;
const workload = globalThis.recurrentWorkloads[name];
if (!workload) throw new Error(`unknown workload ${name}`);
const started = performance.now();
const result = workload(R, arg === undefined ? undefined : JSON.parse(arg));
const ms = performance.now() - started;
console.log(JSON.stringify({ result, ms }));

/**
 * `require` as seen from the engines package test/runtimes, which `npm test` installs
 * (`npm run test:engines-install`): resolves the heavy packages the root `npm ci` leaves out
 * (onnxruntime-node, onnxruntime-web, React Native's Babel preset, the Node binaries).
 */
import { createRequire } from 'node:module';

/** Resolves and loads packages from test/runtimes/node_modules. */
export const requireFromEngines = createRequire(new URL('./runtimes/package.json', import.meta.url));

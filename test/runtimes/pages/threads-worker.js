// Module worker: the threads check off the main thread (its kernel workers are nested workers).
import { runThreads } from './threads-run.js';

try {
  postMessage(await runThreads());
} catch (e) {
  postMessage({ error: String(e && e.stack ? e.stack : e) });
}

/** Worker thread for atomic-write.test.ts: writes its own version of one file, many times. */
import { workerData } from 'node:worker_threads';
import { writeFileAtomic } from '../../src/node/files.js';

const { path, id, rounds, size } = workerData as { path: string; id: number; rounds: number; size: number };
const bytes = new Uint8Array(size).fill(id);
for (let i = 0; i < rounds; i++) writeFileAtomic(path, bytes);

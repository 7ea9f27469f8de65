/** `npm run serve` when its port is taken: one line saying which port and how to pick another. */
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { ROOT, run } from './helpers.js';

it('names the busy port and the PORT variable, with no stack trace', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    blocker.close();
  });
  const port = (blocker.address() as AddressInfo).port;
  const failure = await run(process.execPath, [join(ROOT, 'scripts', 'serve.mjs')], { env: { ...process.env, PORT: String(port) }, timeoutMs: 10_000 }).then(
    () => 'started',
    (error: Error) => error.message,
  );
  expect(failure).toMatch(/: exit 1\n/);
  const stderr = failure.split('\n').slice(1).join('\n').trim();
  expect(stderr).toBe(`serve: port ${port} on 127.0.0.1 is already in use; pick another with PORT=8081 npm run serve (PORT=0 picks a free one)`);
});

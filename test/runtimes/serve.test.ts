/**
 * `npm run serve`: when its port is taken, one line saying which port and how to pick another;
 * real HTTP requests with forged Host and Origin headers get 403 and no file.
 */
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ROOT, run, startServer } from './helpers.js';

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

describe('a DNS-rebinding page cannot read the checkout', () => {
  /** One raw HTTP/1.1 request (so Host is exactly what the test writes, or absent) and the response's status line and body. */
  function rawGet(port: number, headers: string[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(['GET /package.json HTTP/1.1', ...headers, 'Connection: close', '', ''].join('\r\n')));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), body: text.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
      socket.on('error', reject);
    });
  }

  it('answers only a loopback Host with its own port, and a same-origin Origin', async () => {
    const server = await startServer();
    onTestFinished(() => server.close());
    const port = Number(new URL(server.url).port);
    const ok = async (headers: string[]) => {
      const { status, body } = await rawGet(port, headers);
      expect(status, headers.join(' | ')).toBe(200);
      expect(body).toContain('"name": "recurrent"');
    };
    const refused = async (headers: string[]) => {
      const { status, body } = await rawGet(port, headers);
      expect(status, headers.join(' | ')).toBe(403);
      expect(body).not.toContain('recurrent"');
    };
    await ok([`Host: 127.0.0.1:${port}`]);
    await ok([`Host: localhost:${port}`]);
    await ok([`Host: LOCALHOST:${port}`]);
    await ok([`Host: [::1]:${port}`]);
    await ok([`Host: 127.0.0.1:${port}`, `Origin: http://127.0.0.1:${port}`]);
    await ok([`Host: localhost:${port}`, `Origin: http://localhost:${port}`]);
    // Forged or foreign hosts: the rebinding page's own name, a wrong port, no port, lookalikes.
    await refused([`Host: evil.example:${port}`]);
    await refused([`Host: evil.example`]);
    await refused([`Host: 127.0.0.1:${port + 1}`]);
    await refused([`Host: 127.0.0.1`]);
    await refused([`Host: localhost`]);
    await refused([`Host: 127.0.0.1.evil.example:${port}`]);
    await refused([`Host: localhost.:${port}`]);
    await refused([`Host: 0.0.0.0:${port}`]);
    await refused([`Host: 127.0.0.2:${port}`]);
    await refused([`Host: user@127.0.0.1:${port}`]);
    // No Host at all: Node itself answers 400 to HTTP/1.1 without one; still no file.
    const bare = await rawGet(port, []);
    expect([400, 403]).toContain(bare.status);
    expect(bare.body).not.toContain('recurrent"');
    // A right Host with a foreign Origin (a page elsewhere fetching in no-cors or cors mode).
    await refused([`Host: 127.0.0.1:${port}`, 'Origin: http://evil.example']);
    await refused([`Host: 127.0.0.1:${port}`, `Origin: http://evil.example:${port}`]);
    await refused([`Host: 127.0.0.1:${port}`, 'Origin: null']);
    await refused([`Host: 127.0.0.1:${port}`, `Origin: https://127.0.0.1:${port}`]);
    await refused([`Host: 127.0.0.1:${port}`, `Origin: http://127.0.0.1:${port + 1}`]);
  });
});

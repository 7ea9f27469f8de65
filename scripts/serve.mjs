// `npm run serve`: a tiny static file server for the repository, on loopback only, so that a
// browser can load the live page (examples/browser/) and the ESM build in dist/.
//
//   PORT=8080 npm run serve      (default 8080; PORT=0 picks a free port)
//
// It prints the URL (the first line of output is `http://127.0.0.1:<port>/`). It serves GET
// and HEAD only, never lists directories, refuses paths outside the repository and any
// dot-file (.git, .env, ...), and sends `Cache-Control: no-store` so that a rebuild shows up on
// reload. Under /isolated/ it serves the same files with the headers that make a page
// crossOriginIsolated (COOP same-origin, COEP require-corp), as threads in browsers need.
//
// Against DNS rebinding (a page on evil.example whose name is re-pointed at 127.0.0.1 would
// otherwise read the checkout through the user's browser), a request is answered only when its
// Host header names this server by a loopback name (127.0.0.1, localhost or [::1]) with the
// port it listens on, and its Origin header, when the browser sends one, is that same origin:
// anything else gets 403 and no file.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

function send(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The `host[:port]` values that name this server; the port may be left out only when it is 80. */
function allowedHosts() {
  const { port } = server.address();
  return new Set(LOOPBACK_NAMES.flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`])));
}

/** True when Host names this server on loopback and Origin, if sent, is one of its own origins. */
function fromLoopback(req) {
  const hosts = allowedHosts();
  const host = req.headers.host;
  if (typeof host !== 'string' || !hosts.has(host.toLowerCase())) return false;
  const origin = req.headers.origin;
  return origin === undefined || [...hosts].some((h) => origin.toLowerCase() === `http://${h}`);
}

const server = createServer((req, res) => {
  if (!fromLoopback(req)) return send(res, 403, 'forbidden: this server answers only http://127.0.0.1, localhost or [::1] on its own port\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  const isolated = pathname.startsWith('/isolated/');
  if (isolated) pathname = pathname.slice('/isolated'.length);
  if (pathname.includes('\0') || pathname.split('/').some((part) => part.startsWith('.'))) return send(res, 404, 'not found\n');
  let file = resolve(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'not found\n');
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) {
      // A directory's index.html, and a trailing slash so that its relative links resolve.
      if (!pathname.endsWith('/')) return send(res, 301, '', { Location: `${isolated ? '/isolated' : ''}${pathname}/` });
      file = join(file, 'index.html');
      stat = statSync(file);
    }
  } catch {
    return send(res, 404, 'not found\n');
  }
  if (!stat.isFile()) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
});

const port = Number(process.env.PORT ?? 8080);
server.on('error', (error) => {
  const reason = error.code === 'EADDRINUSE' ? 'is already in use' : error.code === 'EACCES' ? 'needs privileges' : `cannot be used (${error.message})`;
  console.error(`serve: port ${port} on 127.0.0.1 ${reason}; pick another with PORT=8081 npm run serve (PORT=0 picks a free one)`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`http://127.0.0.1:${address.port}/`);
  console.log(`live page: http://127.0.0.1:${address.port}/examples/browser/  (run \`npm run build\` first; Ctrl+C stops)`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

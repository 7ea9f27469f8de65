// A Cloudflare-style Worker (modules syntax) for workerd: every POST carries a batch of
// sequences as JSON (B, T, 2) and gets back the GRU's output, computed by the ESM build.
// The runtime test bundles this file with esbuild (one module, as wrangler would).
import * as R from '../../dist/index.js';
import './workloads.js';

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST a JSON array (B, T, 2)\n', { status: 405 });
    try {
      const xs = await request.json();
      const output = globalThis.recurrentWorkloads.gruInference(R, xs);
      return Response.json({ output });
    } catch (e) {
      return Response.json({ error: String(e && e.stack ? e.stack : e) }, { status: 500 });
    }
  },
};

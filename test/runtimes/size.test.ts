/**
 * Size budget and tree-shaking, measured the way a consumer's bundler sees the package:
 * esbuild bundles an entry that imports from dist/ (minified, ESM), and the result is gzipped
 * at level 9. dist/ sits under the repository's package.json, so its `"sideEffects": false`
 * applies exactly as it does for an installed copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './helpers.js';

/**
 * Budget of the whole core (everything `recurrent` exports), minified and gzipped, in bytes.
 * Measured: 30,677 (ESM) before the training layer (fit, callbacks, metrics, datasets) joined
 * the public surface, 37,316 (ESM) and 37,581 (dist/recurrent.global.js) with it, 41,022
 * (ESM) after the safety hardening (the safetensors header parsed by its grammar, argument
 * and option-name checks on every export). The budget leaves about 2% of headroom: the next
 * large feature on the surface has to argue for its bytes, in the change that raises it.
 */
const CORE_BUDGET = 42_000;

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** Bundles `contents` (an entry importing from dist/) and returns its gzipped size and inputs. */
async function bundle(contents: string): Promise<{ bytes: number; gzipped: number; modules: string[] }> {
  const result = await build({
    stdin: { contents, resolveDir: join(ROOT, 'test', 'runtimes'), loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.warnings, 'esbuild warnings while bundling dist/').toEqual([]);
  const out = result.outputFiles[0]!.contents;
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  const modules = Object.keys(inputs).filter((k) => inputs[k]!.bytesInOutput > 0 && k.startsWith('dist/'));
  return { bytes: out.length, gzipped: gz(out), modules: modules.map((m) => m.slice('dist/'.length)) };
}

const GRU_CELL_ONLY = `
import { nn } from '../../dist/index.js';
// GRUCell inference only: the caller passes x (B, I) and h (B, H) as Tensors.
const cell = new nn.GRUCell({ inputSize: 8, hiddenSize: 16, seed: 1 });
export function step(x, h) { return cell.forward(x, h); }
`;

let full: Awaited<ReturnType<typeof bundle>>;
let gruCell: Awaited<ReturnType<typeof bundle>>;

beforeAll(async () => {
  await ensureBuilt();
  full = await bundle(`export * from '../../dist/index.js';`);
  gruCell = await bundle(GRU_CELL_ONLY);
  const direct = await bundle(`import { GRUCell } from '../../dist/nn/index.js'; const c = new GRUCell({ inputSize: 8, hiddenSize: 16, seed: 1 }); export const step = (x, h) => c.forward(x, h);`);
  const global = gz(readFileSync(join(ROOT, 'dist', 'recurrent.global.js')));
  console.log(
    `min+gz: core ESM ${full.gzipped} B (${full.bytes} B min), recurrent.global.js ${global} B; ` +
      `nn.GRUCell only ${gruCell.gzipped} B (${gruCell.modules.length} of ${full.modules.length} modules); ` +
      `GRUCell imported from dist/nn/index.js ${direct.gzipped} B (${direct.modules.length} modules)`,
  );
});

describe('size', () => {
  it(`keeps the core under ${CORE_BUDGET} bytes minified and gzipped`, () => {
    expect(full.gzipped).toBeLessThan(CORE_BUDGET);
    expect(gz(readFileSync(join(ROOT, 'dist', 'recurrent.global.js')))).toBeLessThan(CORE_BUDGET);
  });

  it('tree-shakes a GRUCell-only consumer: no optimizers, safetensors, losses or checkpoints', () => {
    const dropped = gruCell.modules.filter((m) => /^(optim\/|io\/|train\/|nn\/functional\/|autograd\/gradcheck)/.test(m));
    expect(dropped).toEqual([]);
    expect(gruCell.modules).toContain('rnn/cells.js');
    expect(gruCell.modules).toContain('kernels/gru.js');
  });

  it('makes the GRUCell-only bundle measurably smaller than the whole core', () => {
    expect(gruCell.gzipped).toBeLessThan(0.7 * full.gzipped);
  });
});

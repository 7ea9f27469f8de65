/**
 * docs/05's "Continue in PyTorch": its Python block, run as written under the real PyTorch on
 * weights written here (the page's Tagger), gives the scores this library computes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { nn, noGrad, Tensor } from '../../src/index.js';
import { saveFile } from '../../src/node/index.js';
import { engineSuite, PYTHON, torchSkipReason } from '../engines.js';
import { expectClose } from '../helpers.js';
import { run } from '../runtimes/helpers.js';
import { LAYER } from '../tolerances.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-docs-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The Tagger of docs/05, as the page defines it. */
class Tagger extends nn.Module {
  embed = new nn.Embedding({ numEmbeddings: 100, embeddingDim: 16 });
  lstm = new nn.LSTM({ inputSize: 16, hiddenSize: 32, bidirectional: true, batchFirst: true });
  head = new nn.Linear({ inFeatures: 64, outFeatures: 5 });
  forward(ids: Tensor): Tensor {
    return this.head.forward(this.lstm.forward(this.embed.forward(ids)).output);
  }
}

engineSuite('docs/05 in PyTorch', torchSkipReason, () => {
  it('the Python block loads the weights written here and gives the same scores', async () => {
    const page = readFileSync(new URL('../../docs/05-weights-and-pytorch.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Continue in PyTorch'));
    const block = section.match(/```python\n([\s\S]*?)```/)![1]!;
    const written = section.match(/```ts\n([\s\S]*?)```/)![1]!;
    // The TypeScript writes the file into the temporary folder, and the Python reads it there.
    expect(written).toContain("saveFile(join(tmpdir(), 'tagger.safetensors')");
    expect(block).toContain("load_safetensors(os.path.join(tempfile.gettempdir(), 'tagger.safetensors'))");
    const tagger = new Tagger();
    saveFile(join(dir, 'tagger.safetensors'), tagger.stateDict());
    const ids = [3, 14, 15, 92, 65, 35, 8, 97, 93, 2, 38, 46];
    const check = `\nimport json\nwith torch.no_grad():\n    print(json.dumps(model(torch.tensor([${JSON.stringify(ids)}]).reshape(2, 6)).flatten().tolist()))\n`;
    // TMPDIR is where both Node's tmpdir() and Python's tempfile.gettempdir() point.
    const out = await run(PYTHON, ['-c', block + check], { cwd: dir, env: { ...process.env, TMPDIR: dir }, timeoutMs: 120_000 });
    const expected = noGrad(() => tagger.forward(new Tensor(Float32Array.from(ids), [2, 6])));
    const scores = JSON.parse(out.stdout) as number[];
    expect(scores).toHaveLength(2 * 6 * 5);
    expectClose(scores, expected, LAYER, 'scores');
  });
});

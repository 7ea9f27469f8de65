/**
 * `recurrent export` from a run the CLI trained, checked by the real engines:
 *  - --onnx: ONNX Runtime gives the logits and states this library computes for a prompt, at
 *    batch sizes and lengths other than the export's example; the file carries its vocabulary
 *    in metadata_props (read by the ONNX reference library, since ONNX Runtime's JavaScript API
 *    shows no model metadata), and with that table alone ONNX Runtime writes the greedy text
 *    of `recurrent sample --temperature 0`;
 *  - --torch: the written model.py, loaded by real PyTorch, gives the same logits for a prompt
 *    and the same greedy text as `recurrent sample --temperature 0`, and the validation loss
 *    over the whole held-out tail that the run logged; the README's training snippet runs ten
 *    steps there, drawing its windows from the training head only, and the weights it saves
 *    come back: `recurrent summary`, `sample` (the greedy text PyTorch writes with them) and
 *    `train --resume` take them as they are.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { noGrad, safetensors, Tensor } from '../../src/index.js';
import { CharModel, type RunConfig } from '../../src/node/cli/char-model.js';
import { loadRunModel, readRunCheckpoint } from '../../src/node/cli/run-checkpoint.js';
import { engineSuite, onnxPythonSkipReason, ort, ortSkipReason, PYTHON, torchSkipReason } from '../engines.js';
import { expectClose } from '../helpers.js';
import { LAYER } from '../tolerances.js';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recurrent-export-'));
const file = (...parts: string[]) => join(dir, ...parts);
const TEXT = 'the cat sat on the mat. the dog sat on the log. a network reads one character at a time. '.repeat(10);
const PROMPT = 'the dog ';
const MODELS = ['lstm', 'gru', 'rnn'] as const;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs Python code in `cwd` (with `args` as sys.argv[1:]) and returns its stdout (failing with its stderr). */
function python(code: string, cwd: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { cwd, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`python exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** The library's model of a run and its logits for the ids of `text` (batch 1). */
function libraryRun(model: string): { char: CharModel; ids: number[]; vocab: string[] } {
  const checkpoint = readRunCheckpoint('test', file(model, 'checkpoint.safetensors'));
  const vocab = checkpoint.extra.vocab;
  return { char: loadRunModel('test', checkpoint), ids: Array.from(PROMPT, (ch) => vocab.indexOf(ch)), vocab };
}

beforeAll(async () => {
  writeFileSync(file('text.txt'), TEXT);
  const small = ['--hidden', '10', '--embed', '6', '--layers', '2', '--seq', '10', '--batch', '4', '--steps', '30', '--every', '30', '--sample-every', '30', '--seed', '3'];
  const runs = await Promise.all(MODELS.map((m) => cli(['train', '--data', 'text.txt', '--model', m, ...small, '--out', m])));
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  const exports = await Promise.all(MODELS.map((m) => cli(['export', '--checkpoint', `${m}/checkpoint.safetensors`, '--onnx', `${m}/model.onnx`, '--torch', `${m}/torch`])));
  for (const r of exports) expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('needs --onnx or --torch (a usage error otherwise) and says what it wrote', async () => {
  const none = await cli(['export', '--checkpoint', 'lstm/checkpoint.safetensors']);
  expect(none.code).toBe(2);
  expect(none.stderr).toBe('recurrent export: give --onnx FILE, --torch DIR, or both\n');
  const again = await cli(['export', '--checkpoint', 'gru/checkpoint.safetensors', '--onnx', 'again/gru.onnx']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^wrote again\/gru\.onnx \(ONNX, \d+ bytes\)\n$/);
  expect(existsSync(file('again', 'gru.onnx'))).toBe(true);
});

engineSuite('recurrent export --onnx, in ONNX Runtime', ortSkipReason, () => {
  for (const model of MODELS) {
    it(`${model}: the same logits and states for prompts of other batch sizes and lengths`, async () => {
      const { char, ids } = libraryRun(model);
      const config = (char as unknown as { rnn: { numLayers: number; hiddenSize: number } }).rnn;
      const session = await ort!.InferenceSession.create(readFileSync(file(model, 'model.onnx')));
      for (const B of [1, 3]) {
        const flat = Array.from({ length: B }, (_, b) => ids.slice(b)).flatMap((row) => row.slice(0, ids.length - 2));
        const idsTensor = new Tensor(Float32Array.from(flat), [B, ids.length - 2]);
        const h0 = new Tensor(Float32Array.from({ length: config.numLayers * B * config.hiddenSize }, (_, i) => Math.sin(i)), [config.numLayers, B, config.hiddenSize]);
        const expected = noGrad(() => char.forward(idsTensor, { h0, c0: model === 'lstm' ? h0 : undefined }));
        const feeds: Record<string, unknown> = {
          ids: new ort!.Tensor('int64', BigInt64Array.from(flat, (v) => BigInt(v)), idsTensor.shape),
          h0: new ort!.Tensor('float32', h0.data, h0.shape),
        };
        if (model === 'lstm') feeds.c0 = feeds.h0;
        const out = await session.run(feeds as Parameters<typeof session.run>[0]);
        expectClose(out.logits.data as Float32Array, expected.logits, LAYER, 'logits');
        expectClose(out.h.data as Float32Array, expected.state.h0, LAYER, 'h');
        if (model === 'lstm') expectClose(out.c.data as Float32Array, expected.state.c0!, LAYER, 'c');
      }
    });
  }
});

engineSuite("recurrent export --onnx: the vocabulary inside the file", ortSkipReason ?? onnxPythonSkipReason, () => {
  it('export --help says where the id <-> character table is', async () => {
    const help = await cli(['export', '--help']);
    expect(help.stdout).toMatch(/metadata_props/);
    expect(help.stdout).toMatch(/"vocab", a JSON array whose entry\s+i is the character of id i/);
  });

  for (const model of MODELS) {
    it(`${model}: metadata_props hold the vocabulary, and ONNX Runtime decodes with it alone the text recurrent sample writes`, async () => {
      const props = JSON.parse(python('import json, onnx, sys\nprint(json.dumps({p.key: p.value for p in onnx.load(sys.argv[1]).metadata_props}))', dir, file(model, 'model.onnx'))) as Record<string, string>;
      expect(Object.keys(props)).toEqual(['vocab']);
      const vocab = JSON.parse(props.vocab!) as string[];
      expect(vocab).toEqual([...new Set(TEXT)].sort());
      // Greedy generation from the ONNX file, one step at a time, decoded with the file's table.
      const session = await ort!.InferenceSession.create(readFileSync(file(model, 'model.onnx')));
      const { numLayers, hiddenSize } = (libraryRun(model).char as unknown as { rnn: { numLayers: number; hiddenSize: number } }).rnn;
      let state: Record<string, unknown> = { h0: new ort!.Tensor('float32', new Float32Array(numLayers * hiddenSize), [numLayers, 1, hiddenSize]) };
      if (model === 'lstm') state.c0 = new ort!.Tensor('float32', new Float32Array(numLayers * hiddenSize), [numLayers, 1, hiddenSize]);
      let ids = Array.from(PROMPT, (ch) => vocab.indexOf(ch));
      let text = PROMPT;
      for (let i = 0; i < 30; i++) {
        const out = await session.run({ ids: new ort!.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]), ...state } as Parameters<typeof session.run>[0]);
        const last = (out.logits.data as Float32Array).subarray((ids.length - 1) * vocab.length, ids.length * vocab.length);
        const next = last.indexOf(Math.max(...last));
        text += vocab[next];
        ids = [next];
        state = model === 'lstm' ? { h0: out.h, c0: out.c } : { h0: out.h };
      }
      const sampled = await cli(['sample', '--checkpoint', `${model}/checkpoint.safetensors`, '--prompt', PROMPT, '--temperature', '0', '--length', '30']);
      expect(`${text}\n`).toBe(sampled.stdout);
    });
  }
});

/** What PyTorch computed for one exported project. */
interface TorchResult {
  logits: number[];
  text: string;
  /** Mean cross entropy over the whole validation tail, in windows of SEQ from a zero state. */
  valLoss: number;
  /** What each README snippet printed. */
  printed: string[];
  /** The upper bounds the training snippet passed to torch.randint (its window starts). */
  highs: number[];
  /** Greedy text from the weights the training snippet saved. */
  continuedText: string;
}

// One Python process for every project (importing torch takes seconds): in each project's
// folder, the logits for the prompt and 30 greedy characters, then the README's two snippets
// as written, each with its own globals and its output captured.
const TORCH_RUN = `import contextlib, importlib, io, json, os, sys, torch
def greedy(m, model):
    with torch.no_grad():
        logits, state = model(torch.tensor([m.encode(${JSON.stringify(PROMPT)})]))
        text, last, s = '', logits[0, -1], state
        for _ in range(30):
            nxt = int(last.argmax())
            text += m.VOCAB[nxt]
            out, s = model(torch.tensor([[nxt]]), s)
            last = out[0, -1]
    return logits, text
results = {}
real_randint = torch.randint
for job in json.loads(sys.argv[1]):
    os.chdir(job['dir'])
    sys.path.insert(0, job['dir'])
    sys.modules.pop('model', None)
    m = importlib.import_module('model')
    model = m.load().eval()
    logits, text = greedy(m, model)
    # The validation loss, computed here from the text: its last 10% (--val-fraction 0.1), every
    # character after the first predicted once, in windows of SEQ from a zero state.
    ids = torch.tensor(m.encode(open(m.DATA, encoding='utf-8').read()))
    tail = ids[len(ids) - int(len(ids) * 0.1):]
    total, count = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(tail) - 1, m.SEQ):
            x = tail[s:min(s + m.SEQ, len(tail) - 1)]
            y = tail[s + 1:s + 1 + len(x)]
            total += torch.nn.functional.cross_entropy(model(x[None])[0][0].double(), y, reduction='sum').item()
            count += len(y)
    highs = []
    def recording_randint(low, high, *args, **kwargs):
        highs.append(int(high))
        return real_randint(low, high, *args, **kwargs)
    torch.randint = recording_randint
    printed = []
    for snippet in job['snippets']:
        with contextlib.redirect_stdout(io.StringIO()) as captured:
            exec(compile(snippet, 'README.md', 'exec'), {})
        printed.append(captured.getvalue())
    torch.randint = real_randint
    _, continued_text = greedy(m, m.load('continued.safetensors').eval())
    sys.path.remove(job['dir'])
    results[job['name']] = {'logits': logits.flatten().tolist(), 'text': text, 'valLoss': total / count, 'printed': printed, 'highs': highs, 'continuedText': continued_text}
print(json.dumps(results))`;

engineSuite('recurrent export --torch, in PyTorch', torchSkipReason, () => {
  let torchResults: Record<string, TorchResult> = {};
  const greedy: Record<string, string> = {};
  beforeAll(async () => {
    const jobs = MODELS.map((name) => {
      const readme = readFileSync(file(name, 'torch', 'README.md'), 'utf8');
      return { name, dir: file(name, 'torch'), snippets: [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]) };
    });
    for (const job of jobs) expect(job.snippets).toHaveLength(2);
    const samples = MODELS.map((m) => cli(['sample', '--checkpoint', `${m}/checkpoint.safetensors`, '--prompt', PROMPT, '--temperature', '0', '--length', '30']));
    torchResults = JSON.parse(python(TORCH_RUN, dir, JSON.stringify(jobs)));
    for (const [i, r] of (await Promise.all(samples)).entries()) {
      expect(r.code, r.stderr).toBe(0);
      greedy[MODELS[i]] = r.stdout;
    }
  });

  for (const model of MODELS) {
    it(`${model}: the same logits and greedy text as recurrent sample; ten training steps there; the weights come back`, () => {
      const { char, ids, vocab } = libraryRun(model);
      const torchOut = torchResults[model];
      const expected = noGrad(() => char.forward(new Tensor(Float32Array.from(ids), [1, ids.length]))).logits;
      expectClose(torchOut.logits, expected, LAYER, 'logits');
      expect(PROMPT + torchOut.text + '\n').toBe(greedy[model]);
      const losses = torchOut.printed[1].trim().split('\n');
      expect(losses.map((l) => Number(l.split(' ')[0]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(losses.every((l) => Number.isFinite(Number(l.split(' ')[1])))).toBe(true);
      const back = new CharModel({ ...(readRunCheckpoint('test', file(model, 'checkpoint.safetensors')).extra.config as RunConfig) }, vocab.length);
      back.loadStateDict(safetensors.load(readFileSync(file(model, 'torch', 'continued.safetensors'))));
      expect(back.parameters().some((p, i) => p.data.some((v, k) => v !== char.parameters()[i].data[k]))).toBe(true);
    });

    it(`${model}: the run's validation loss is PyTorch's over the whole held-out tail`, () => {
      const logged = readFileSync(file(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; valLoss: number }).at(-1)!;
      expect(logged.step).toBe(30);
      expect(Math.abs(logged.valLoss - torchResults[model].valLoss)).toBeLessThan(1e-4);
    });

    it(`${model}: the exported training loop draws its windows from the training head only`, () => {
      const { highs } = torchResults[model];
      expect(highs).toHaveLength(10);
      const trainLength = TEXT.length - Math.floor(TEXT.length * 0.1);
      // A start below `high` takes characters start .. start + SEQ (SEQ = 10): all inside the head.
      for (const high of highs) expect(high + 10).toBe(trainLength);
    });

    it(`${model}: the weights saved in PyTorch come back to summary, sample and train --resume`, async () => {
      const continued = `${model}/torch/continued.safetensors`;
      const summary = await cli(['summary', '--checkpoint', continued]);
      expect(summary, summary.stderr).toMatchObject({ code: 0, stderr: '' });
      expect(summary.stdout).toMatch(/^step {8}30 /m);
      expect(summary.stdout).toMatch(/^weights {5}saved by an exported model\.py: no optimizer state/m);
      const sampled = await cli(['sample', '--checkpoint', continued, '--prompt', PROMPT, '--temperature', '0', '--length', '30']);
      expect(sampled, sampled.stderr).toMatchObject({ code: 0, stderr: '' });
      expect(sampled.stdout).toBe(PROMPT + torchResults[model].continuedText + '\n');
      const resumed = await cli(['train', '--resume', continued, '--steps', '35', '--every', '5', '--out', `${model}-continued`]);
      expect(resumed, resumed.stderr).toMatchObject({ code: 0, stderr: '' });
      expect(resumed.stdout).toMatch(new RegExp(`^resuming ${model.toUpperCase()} .* at step 30 of 35`, 'm'));
      const ckpt = readRunCheckpoint('test', file(`${model}-continued`, 'checkpoint.safetensors'));
      expect(ckpt.kind).toBe('run');
      expect(ckpt.contents.step).toBe(35);
      expect(ckpt.extra.vocab).toEqual(libraryRun(model).vocab);
    });
  }

  it('the exported README names the model with its article', () => {
    expect(readFileSync(file('lstm', 'torch', 'README.md'), 'utf8')).toMatch(/^# An LSTM character model/);
    expect(readFileSync(file('gru', 'torch', 'README.md'), 'utf8')).toMatch(/^# A GRU character model/);
    expect(readFileSync(file('rnn', 'torch', 'README.md'), 'utf8')).toMatch(/^# An RNN character model/);
  });
});

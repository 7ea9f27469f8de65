/**
 * Strings in generated code are literals, whatever they hold. `recurrent export --torch` writes
 * the checkpoint path, the data path, the vocabulary and the prompt into model.py and README.md:
 *  - a fuzz: random hostile strings (quotes of every kind, backslashes, every Unicode line
 *    separator, NUL, control characters, lone surrogates, payloads that would create a marker
 *    file if they ran) in every such field, and extreme numbers in the numeric ones;
 *    /usr/bin/python3 imports each model.py and reads every string and number back exactly,
 *    finds the README's prompt and path literals equal to them, and no marker file appears.
 *    8 seeded cases per run, all in one Python process; 500 with FUZZ_RUNS set (the long
 *    fuzz), N with CODEGEN_FUZZ_CASES=N; CODEGEN_FUZZ_SEED=S replays a seed;
 *  - the CLI as a process: a run folder, data file and prompt with hostile names, trained and
 *    exported, then imported by Python.
 * Python imports model.py with the real `torch` where it is installed (CI installs it), else
 * with a stand-in `torch` first on its path (a module with nn.Module): either way every
 * top-level line of model.py runs; export.test.ts runs the files' models in PyTorch.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CharModel, type RunConfig } from '../../src/node/cli/char-model.js';
import type { RunCheckpoint } from '../../src/node/cli/run-checkpoint.js';
import { torchProject } from '../../src/node/cli/torch-export.js';
import { writeFilesAtomic } from '../../src/node/files.js';
import { engineSuite, PYTHON, torchSkipReason } from '../engines.js';
import { runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-generated-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MARKER = join(dir, 'marker');

const CASES = Number(process.env.CODEGEN_FUZZ_CASES ?? (process.env.FUZZ_RUNS ? 500 : 8));
const SEED = Number(process.env.CODEGEN_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const pythonMissing = spawnSync(PYTHON, ['-c', 'print(1)'], { encoding: 'utf8' }).status === 0 ? null : `${PYTHON} does not run`;

// The stand-in torch, where the real one is missing: just what model.py touches at import time.
const STUB = torchSkipReason === null ? '' : join(dir, 'stub');
mkdirSync(join(dir, 'stub', 'torch'), { recursive: true });
writeFileSync(join(dir, 'stub', 'torch', '__init__.py'), 'from . import nn\n');
writeFileSync(join(dir, 'stub', 'torch', 'nn.py'), 'class Module:\n    pass\n');

/** Pieces of hostile strings: closers of every Python and Markdown literal, escapes, separators, payloads. */
const PIECES = [
  '"', "'", '"""', "'''", '`', '```', '\\', '\\\\', "\\'", '\\N{', '\\x', '\\u', '{', '}', '${x}', '#', '%s',
  '\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\u001c', '\u001d', '\u001e', '\u0000', '\u0001', '\u001b[31m', '\u007f', '\u009b',
  '\ud800', '\udfff', '\udbff', '\ud83d\ude00', '\ufeff', '\u202e', 'é', '字', ' ', 'a', 'Z', '0',
  '<script>alert(1)</script>', '[x](javascript:alert(1))', '<!--', '&amp;', '*', '_',
  `"""\nopen(${JSON.stringify(MARKER)}, 'w')\n"""`,
  `'\nopen(${JSON.stringify(MARKER)}, 'w')\n'`,
  `"+open(${JSON.stringify(MARKER)}, 'w')+"`,
  `'+open(${JSON.stringify(MARKER)}, 'w')+'`,
  `"""+open(${JSON.stringify(MARKER)}, 'w')+"""`,
  `\n\`\`\`\nopen(${JSON.stringify(MARKER)}, 'w')\n\`\`\`\n`,
];
/** Single characters for the vocabulary (each entry is one code point). */
const CHARS = ['"', "'", '`', '\\', '\n', '\r', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\u001c', '\u001d', '\u001e', '\u0000', '\u0007', '\ud800', '\udfff', '\ud83d\ude00', '\ufeff', '#', '{', 'a', ' ', 'é'];

/** A small seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What one exported project must read back. */
interface Expected {
  checkpoint: string;
  step: number;
  vocab: string[];
  data: string;
  prompt: string;
  /** SEQ, BATCH, LEARNING_RATE, CLIP. */
  numbers: number[];
}

// For each project: import model.py under its own module name, read its strings, find the
// prompt literal in the README's Python snippets (which must compile) and the checkpoint's
// code span in its prose; then say whether the marker file exists.
const READ_BACK = `import ast, importlib.util, json, os, re, sys
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])
results = []
for i, job in enumerate(json.loads(sys.stdin.read())):
    spec = importlib.util.spec_from_file_location('model_%d' % i, os.path.join(job['dir'], 'model.py'))
    m = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(m)
    except Exception as e:
        results.append({'error': repr(e)})
        continue
    readme = open(os.path.join(job['dir'], 'README.md'), encoding='utf-8').read()
    prompts = []
    for snippet in re.findall(r'^\`\`\`python\\n(.*?)^\`\`\`$', readme, re.S | re.M):
        for node in ast.walk(ast.parse(snippet)):
            if isinstance(node, ast.Call) and getattr(node.func, 'id', None) == 'encode' and isinstance(node.args[0], ast.Constant):
                prompts.append(node.args[0].value)
    span = re.search(r'from the checkpoint (\`+)(.*?)\\1 \\(step (\\d+)\\)', readme)
    results.append({'checkpoint': m.CHECKPOINT, 'step': m.STEP, 'vocab': m.VOCAB, 'data': m.DATA, 'prompts': prompts, 'numbers': [m.SEQ, m.BATCH, m.LEARNING_RATE, m.CLIP],
                    'readmeCheckpoint': ast.literal_eval(span.group(2)), 'readmeStep': int(span.group(3))})
print(json.dumps({'results': results, 'marker': os.path.exists(sys.argv[2])}))`;

/** Imports every project in one Python process; returns what each read back and whether the marker exists. */
function readBack(dirs: string[]): { results: (Expected & { prompts: string[]; readmeCheckpoint: string; readmeStep: number; error?: string })[]; marker: boolean } {
  const r = spawnSync(PYTHON, ['-c', READ_BACK, STUB, MARKER], { cwd: dir, input: JSON.stringify(dirs.map((d) => ({ dir: d }))), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Every generated file is printable ASCII and newlines: no separator, control character or surrogate got in raw. */
function expectPlainAscii(project: string): void {
  for (const name of ['model.py', 'README.md']) {
    const text = readFileSync(join(project, name), 'utf8');
    expect(/^[\x20-\x7e\n]*$/.test(text), `${name} holds only printable ASCII and newlines`).toBe(true);
  }
}

function expectReadBack(got: ReturnType<typeof readBack>['results'][number], want: Expected, label: string): void {
  expect(got.error, `${label}: import model`).toBeUndefined();
  expect({ checkpoint: got.checkpoint, step: got.step, vocab: got.vocab, data: got.data, numbers: got.numbers }, label).toEqual({ checkpoint: want.checkpoint, step: want.step, vocab: want.vocab, data: want.data, numbers: want.numbers });
  expect(got.prompts, label).toEqual([want.prompt]);
  expect([got.readmeCheckpoint, got.readmeStep], label).toEqual([want.checkpoint, want.step]);
}

engineSuite('generated code holds strings as literals', pythonMissing, () => {
  it(`fuzz: ${CASES} projects with hostile strings in every field read back exactly under python3, and nothing runs (seed ${SEED})`, () => {
    const next = random(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const hostile = () => Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(PIECES)).join('');
    const cases: Expected[] = [];
    const dirs: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const vocab = [...new Set(Array.from({ length: 2 + Math.floor(next() * 8) }, () => pick(CHARS)))];
      // Numbers as a checkpoint's config may hold them: the smallest and largest, and random ones.
      const [seq, batch] = [pick([1, 100000, 1 + Math.floor(next() * 99999)]), pick([1, 4096, 1 + Math.floor(next() * 4095)])];
      const [lr, clip] = [pick([5e-324, 10, 1e-7, next() * 10 || 1]), pick([0, 1e21, 1.7976931348623157e308, 5e-324, next() * 100])];
      const want: Expected = { checkpoint: hostile(), step: Math.floor(next() * 1000), vocab, data: hostile(), prompt: hostile(), numbers: [seq, batch, lr, clip] };
      const config: RunConfig = { model: pick(['lstm', 'gru', 'rnn'] as const), embed: 2, hidden: 3, layers: 1, seq, batch, lr, clip, seed: 1, valFraction: 0.1, data: want.data, dataHash: '0', dataLength: 10 };
      const checkpoint = { path: want.checkpoint, bytes: new Uint8Array(), contents: { step: want.step }, extra: { config, vocab, prompt: want.prompt } } as unknown as RunCheckpoint;
      const project = join(dir, 'fuzz', String(i));
      writeFilesAtomic(torchProject(checkpoint, new CharModel(config, vocab.length)).map(([name, bytes]) => [join(project, name), bytes]));
      expectPlainAscii(project);
      cases.push(want);
      dirs.push(project);
    }
    const { results, marker } = readBack(dirs);
    expect(marker, `a payload ran (seed ${SEED})`).toBe(false);
    results.forEach((got, i) => expectReadBack(got, cases[i], `case ${i} of seed ${SEED}`));
  });

  it('the CLI as a process: a run folder, data file and prompt with hostile names export to a model.py that runs none of them', async () => {
    const run = (args: string[]) => runCli(dir, args);
    // A folder name that closes a docstring, then a str literal, then a Markdown code span.
    const folder = `run """+__import__('os').mkdir('pwned')+""" '+__import__('os').mkdir('pwned')+' \u2028\u2029\u0085\u000b\u000c \\ \`\`\` <b>x</b>`;
    const data = `data "'\u2028.txt`;
    const text = `the "cat" sat on the 'mat' \\ \u2028 \u0085 \u000b \u000c é 字 😀 `.repeat(8);
    writeFileSync(join(dir, data), text);
    const prompt = `"'\\\u2028`;
    const trained = await run(['train', '--data', data, '--out', folder, '--prompt', prompt, '--hidden', '4', '--embed', '3', '--seq', '6', '--batch', '2', '--steps', '1', '--every', '1', '--sample-every', '1']);
    expect(trained.code, trained.stderr).toBe(0);
    const checkpoint = join(folder, 'checkpoint.safetensors');
    const exported = await run(['export', '--checkpoint', checkpoint, '--torch', 'project']);
    expect(exported.code, exported.stderr).toBe(0);
    const { results, marker } = readBack([join(dir, 'project')]);
    expect(readdirSync(dir)).not.toContain('pwned');
    expect(marker).toBe(false);
    expectPlainAscii(join(dir, 'project'));
    const vocab = [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    expectReadBack(results[0], { checkpoint, step: 1, vocab, data: join(dir, data), prompt, numbers: [6, 2, 0.003, 1] }, 'the CLI export');
  });
});

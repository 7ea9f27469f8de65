/**
 * The `recurrent` command as a user runs it: a child process through bin/recurrent.mjs, on a
 * small text in a temporary folder. Sizes are tiny (hidden 12, windows of 12, batches of 4)
 * so the whole file runs in seconds.
 *
 * Exit codes checked: 0 done, 2 usage error, 1 runtime error, 130 after SIGINT (checkpoint
 * saved; 130 = 128 + SIGINT tells a shell script the run did not finish).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, safetensors, tensor } from '../../src/index.js';

const BIN = fileURLToPath(new URL('../../bin/recurrent.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recurrent-cli-'));
const TEXT = [
  'the cat sat on the mat. the dog sat on the log. ',
  'a recurrent network reads one character at a time, ',
  'and the gradient flows back through every step. ',
].join('').repeat(12);
const SMALL = ['--hidden', '12', '--embed', '6', '--seq', '12', '--batch', '4', '--every', '10', '--val-every', '10', '--sample-every', '50', '--seed', '7'];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` in the temporary folder; `onStdout` may act on the running process. */
function run(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, RECURRENT_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI and sends it SIGINT once its output matches `when` (as Ctrl-C would). */
function runAndInterrupt(args: string[], when: RegExp): Promise<Run> {
  let sent = false;
  return run(args, (text, child) => {
    if (!sent && when.test(text)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
}

const file = (...parts: string[]) => join(dir, ...parts);
const tensorsOf = (path: string) => decodeCheckpoint(new Uint8Array(readFileSync(path)));
const bytes = (data: Float32Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
/** metrics.jsonl without the wall-clock fields. */
const metricsOf = (runDir: string) =>
  readFileSync(file(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { elapsed: _e, tokensPerSecond: _t, ...rest } = JSON.parse(line);
      return rest;
    });

beforeAll(() => writeFileSync(file('text.txt'), TEXT));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recurrent train', () => {
  let straight: Run;
  let first: Run;
  let resumed: Run;
  beforeAll(async () => {
    [straight, first] = await Promise.all([
      run(['train', '--data', 'text.txt', ...SMALL, '--steps', '100', '--out', 'straight', '--threads', '1']),
      run(['train', '--data', 'text.txt', ...SMALL, '--steps', '50', '--out', 'split', '--threads', '2']),
    ]);
    resumed = await run(['train', '--resume', 'split', '--steps', '100', '--threads', '2']);
  });

  it('trains, reports progress as plain lines off a TTY, and says where it wrote', () => {
    for (const r of [straight, first, resumed]) expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(straight.stdout).toMatch(/^training LSTM \(hidden 12, 1 layer, [\d,]+ parameters\)/);
    expect(straight.stdout).toMatch(/^step 10\/100 {2}loss \d\.\d{4} {2}val \d\.\d{4} {2}grad [\d.]+ {2}[\d,]+ tok\/s/m);
    expect(straight.stdout).not.toContain('\r');
    expect(straight.stdout).toContain('wrote straight/{checkpoint.safetensors, metrics.jsonl, samples.txt, loss.svg}');
    expect(resumed.stdout).toMatch(/^resuming LSTM .* at step 50 of 100/);
  });

  it('resumed at step 50 with --threads 2, ends bit for bit where an uninterrupted run with --threads 1 ends', () => {
    const a = tensorsOf(file('straight', 'checkpoint.safetensors'));
    const b = tensorsOf(file('split', 'checkpoint.safetensors'));
    expect(b.step).toBe(100);
    expect(Object.keys(b.model)).toEqual(Object.keys(a.model));
    for (const name of Object.keys(a.model)) expect(bytes(b.model[name].data).equals(bytes(a.model[name].data)), name).toBe(true);
    expect(b.optimizer).toEqual(a.optimizer);
    expect(b.generators).toEqual(a.generators);
    expect(metricsOf('split')).toEqual(metricsOf('straight'));
    expect(readFileSync(file('split', 'samples.txt'), 'utf8')).toBe(readFileSync(file('straight', 'samples.txt'), 'utf8'));
  });

  it('writes a valid checkpoint, metrics, plot and samples', () => {
    const ckpt = tensorsOf(file('straight', 'checkpoint.safetensors'));
    expect(ckpt.step).toBe(100);
    expect(ckpt.extra).toMatchObject({ tool: 'recurrent train', config: { model: 'lstm', hidden: 12, seq: 12, batch: 4, seed: 7 }, prompt: 't' });
    expect((ckpt.extra.vocab as string[]).join('')).toBe([...new Set(TEXT)].sort().join(''));
    expect(Object.keys(ckpt.generators)).toContain('data');
    // The layout the README documents for the checkpoint file.
    const raw = safetensors.loadWithMetadata(new Uint8Array(readFileSync(file('straight', 'checkpoint.safetensors'))));
    const names = ['model.embed.weight', 'model.rnn.weight_ih_l0', 'model.rnn.weight_hh_l0', 'model.rnn.bias_ih_l0', 'model.rnn.bias_hh_l0', 'model.head.weight', 'model.head.bias'];
    expect(Object.keys(raw.tensors).filter((k) => k.startsWith('model.')).sort()).toEqual([...names].sort());
    expect(Object.keys(raw.tensors)).toContain('optimizer.0.expAvg');
    expect(Object.keys(raw.tensors)).toContain('optimizer.0.expAvgSq');
    expect(Object.keys(raw.metadata ?? {}).sort()).toEqual(['extra', 'format', 'generators', 'optimizer', 'step']);
    for (const name of names) expect(readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')).toContain(`\`${name}\``);
    const lines = readFileSync(file('straight', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['step', 'loss', 'valLoss', 'gradNorm', 'lr', 'elapsed', 'tokensPerSecond']);
      expect(Number.isFinite(l.loss) && Number.isFinite(l.valLoss) && l.gradNorm > 0 && l.lr === 0.003 && l.tokensPerSecond > 0).toBe(true);
    }
    expect(lines[9].loss).toBeLessThan(lines[0].loss);
    const svg = readFileSync(file('straight', 'loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/class="series"/g)).toHaveLength(2);
    const samples = readFileSync(file('straight', 'samples.txt'), 'utf8');
    expect([...samples.matchAll(/^=== step (\d+) \(loss [\d.]+\) ===$/gm)].map((m) => Number(m[1]))).toEqual([50, 100]);
  });

  it('refuses to overwrite a run without --force, and a config change on resume', async () => {
    const again = await run(['train', '--data', 'text.txt', ...SMALL, '--steps', '5', '--out', 'straight']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run; continue it with --resume straight, or pass --force to replace it \(checkpoint\.safetensors/);
    const changed = await run(['train', '--resume', 'straight', '--steps', '120', '--hidden', '16']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toBe("recurrent train: --hidden 16 differs from the resumed run's 12; a resumed run keeps its config\n");
  });
});

describe('recurrent sample and summary', () => {
  const ckpt = 'straight/checkpoint.safetensors';

  it('samples deterministically for a seed', async () => {
    const args = ['sample', '--checkpoint', ckpt, '--prompt', 'the ', '--length', '40', '--temperature', '0.9'];
    const [a, b, c] = await Promise.all([run([...args, '--seed', '3']), run([...args, '--seed', '3']), run([...args, '--seed', '4'])]);
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    expect(a.stdout.startsWith('the ')).toBe(true);
    expect(a.stdout.endsWith('\n')).toBe(true);
    expect(Array.from(a.stdout.slice(0, -1)).length).toBe(44);
    expect(Array.from(a.stdout.slice(0, -1)).every((ch) => TEXT.includes(ch))).toBe(true);
  });

  it('prints config, vocabulary, step and a parameter table', async () => {
    const [a, b] = await Promise.all([run(['summary', '--checkpoint', ckpt]), run(['summary', '--checkpoint', ckpt])]);
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^model {7}LSTM, 1 layer, hidden 12, embedding 6$/m);
    expect(a.stdout).toMatch(new RegExp(`^vocabulary  ${new Set(TEXT).size} characters$`, 'm'));
    expect(a.stdout).toMatch(/^step {8}100 /m);
    const rows = [...a.stdout.matchAll(/^(\S+)\s+\[([\d, ]+)\]\s+([\d,]+)$/gm)];
    expect(rows.map((r) => r[1])).toEqual(['embed.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.weight', 'head.bias']);
    for (const r of rows) expect(Number(r[3].replace(/,/g, ''))).toBe(r[2].split(', ').reduce((n, d) => n * Number(d), 1));
    const total = Number(a.stdout.match(/^total\s+([\d,]+)$/m)![1].replace(/,/g, ''));
    expect(total).toBe(rows.reduce((n, r) => n + Number(r[3].replace(/,/g, '')), 0));
  });
});

describe('errors: one line on stderr, no stack trace, a non-zero exit', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['no command', [], 2, /^recurrent: missing command/],
    ['unknown command', ['fly'], 2, /^recurrent: unknown command "fly"/],
    ['unknown flag', ['train', '--data', 'text.txt', '--hiden', '3'], 2, /^recurrent train: unknown flag --hiden \(did you mean --hidden\? see 'recurrent train --help'\)\n$/],
    ['unknown flag, nothing near', ['sample', '--colour'], 2, /^recurrent sample: unknown flag --colour \(see 'recurrent sample --help'\)\n$/],
    ['missing value', ['train', '--data', 'text.txt', '--steps'], 2, /^recurrent train: --steps needs a value/],
    ['bad number', ['train', '--data', 'text.txt', '--lr', 'fast'], 2, /^recurrent train: --lr must be a number > 0 and <= 10, got "fast"/],
    ['out of range', ['train', '--data', 'text.txt', '--hidden', '0'], 2, /^recurrent train: --hidden must be an integer >= 1/],
    ['not an integer', ['sample', '--checkpoint', 'x', '--length', '2.5'], 2, /^recurrent sample: --length must be an integer/],
    ['bad choice', ['train', '--data', 'text.txt', '--model', 'transformer'], 2, /^recurrent train: --model must be one of lstm, gru, rnn/],
    ['stray argument', ['summary', 'file'], 2, /^recurrent summary: unexpected argument "file"/],
    ['missing data file', ['train', '--data', 'nowhere.txt'], 1, /^recurrent train: cannot read data file 'nowhere.txt': no such file\n$/],
    ['missing checkpoint', ['sample', '--checkpoint', 'nowhere.safetensors'], 1, /^recurrent sample: cannot read checkpoint 'nowhere.safetensors': no such file\n$/],
    ['not a safetensors file', ['summary', '--checkpoint', 'text.txt'], 1, /^recurrent summary: 'text.txt' is not a safetensors file; pass the checkpoint.safetensors of a run folder made by `recurrent train`\n$/],
    ['weights without a run', ['sample', '--checkpoint', 'weights.safetensors'], 1, /^recurrent sample: 'weights.safetensors' is not a readable checkpoint: it holds weights but no training run .*live page/],
    ['weights naming a run in broken JSON', ['sample', '--checkpoint', 'run-not-json.safetensors'], 1, /^recurrent sample: 'run-not-json\.safetensors' holds a recurrent\.run entry that is not JSON\n$/],
    ['weights naming a run with a bad config', ['train', '--resume', 'run-bad-config.safetensors'], 2, /^recurrent train: --resume takes a run folder \(the --out of a run\) or weights saved by an exported model\.py, and 'run-bad-config\.safetensors' is neither\n$/],
    ['weights naming a run with a bad config, summarised', ['summary', '--checkpoint', 'run-bad-config.safetensors'], 1, /^recurrent summary: the checkpoint's config is not one `recurrent train` writes \(model "transformer"\)\n$/],
    ['--out is a file', ['train', '--data', 'text.txt', '--out', 'text.txt'], 2, /^recurrent train: --out 'text.txt' is a file; --out takes a folder/],
    ['--out under a file', ['train', '--data', 'text.txt', '--out', 'text.txt/run'], 2, /^recurrent train: --out 'text.txt\/run': a part of the path is a file, not a folder\n$/],
    ['--resume under a file', ['train', '--resume', 'text.txt/run'], 2, /^recurrent train: --resume 'text.txt\/run': a part of the path is a file, not a folder\n$/],
    ['--resume given another file', ['train', '--resume', 'text.txt'], 2, /^recurrent train: --resume takes a run folder \(the --out of a run\) or weights saved by an exported model\.py, and 'text\.txt' is neither\n$/],
    ['truncated checkpoint', ['sample', '--checkpoint', 'truncated.safetensors'], 1, /^recurrent sample: 'truncated.safetensors' is not a readable checkpoint: /],
    ['checkpoint is a folder', ['summary', '--checkpoint', 'straight'], 1, /^recurrent summary: cannot read checkpoint 'straight': it is a folder\n$/],
    ['unknown prompt character', ['sample', '--checkpoint', 'straight/checkpoint.safetensors', '--prompt', 'Zoë'], 2, /^recurrent sample: --prompt has characters the model never saw: "Z", "ë" \(its vocabulary has \d+ characters\)\n$/],
    ['window too long for the text', ['train', '--data', 'text.txt', '--seq', '5000', '--out', 'long'], 2, /^recurrent train: the training text has/],
    ['Latin-1 text', ['train', '--data', 'latin1.txt', '--out', 'latin1'], 1, /^recurrent train: data file 'latin1.txt' is not UTF-8 text: byte 0xE9 at offset 13 is not valid UTF-8\. .*iconv -f windows-1252 -t utf-8 'latin1.txt'/],
    ['binary file', ['train', '--data', 'binary.bin', '--out', 'binary'], 1, /^recurrent train: data file 'binary.bin' is not a text file: it holds the control byte 0x00 at offset 4 /],
    ['UTF-16 without a byte-order mark', ['train', '--data', 'utf16-nobom.txt', '--out', 'nobom'], 1, /^recurrent train: data file 'utf16-nobom.txt' is not a text file: it holds the control byte 0x00 at offset 1 /],
  ];
  beforeAll(() => {
    writeFileSync(file('truncated.safetensors'), readFileSync(file('straight', 'checkpoint.safetensors')).subarray(0, 200));
    writeFileSync(file('weights.safetensors'), safetensors.save({ 'embed.weight': tensor([[1, 2]]) }));
    writeFileSync(file('run-not-json.safetensors'), safetensors.save({ 'embed.weight': tensor([[1, 2]]) }, { 'recurrent.run': '{"step": 1,' }));
    writeFileSync(file('run-bad-config.safetensors'), safetensors.save({ 'embed.weight': tensor([[1, 2]]) }, { 'recurrent.run': JSON.stringify({ step: 1, tool: 'recurrent train', config: { model: 'transformer' } }) }));
    writeFileSync(file('latin1.txt'), Buffer.from(TEXT.slice(0, 10) + 'café crème ' + TEXT, 'latin1'));
    writeFileSync(file('binary.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x03, ...Buffer.from(TEXT)]));
    writeFileSync(file('utf16-nobom.txt'), Buffer.from(TEXT, 'utf16le'));
  });
  it.each(cases)('%s', async (_, args, code, message) => {
    const r = await run(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('help', () => {
  it.each([[['--help']], [['train', '--help']], [['sample', '-h']], [['summary', '--help']], [['compare', '--help']]])('%j prints usage', async (args) => {
    const r = await run(args);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: recurrent /);
  });

  it('lists every flag of train', async () => {
    const r = await run(['train', '--help']);
    for (const flag of ['model', 'data', 'hidden', 'layers', 'seq', 'batch', 'steps', 'lr', 'clip', 'seed', 'out', 'resume', 'embed', 'val-fraction', 'every', 'sample-every', 'threads']) {
      expect(r.stdout).toContain(`--${flag} `);
    }
  });

  it('states one default for each flag (--threads: all cores, not a number as well)', async () => {
    const r = await run(['train', '--help']);
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('  --'))) expect(line.match(/default/gi)?.length ?? 0, line).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(/--threads N +threads that run the kernels, by default all cores/);
  });
});

describe('intervals and the time budget', () => {
  it('logs, validates and saves a checkpoint at their own intervals (a run killed after step 25 resumes from step 20)', async () => {
    let killedAt = '';
    const r = await run(['train', '--data', 'text.txt', ...SMALL, '--every', '5', '--val-every', '10', '--checkpoint-every', '20', '--steps', '100000', '--out', 'intervals'], (text, child) => {
      if (killedAt === '' && /^step 25\//m.test(text)) {
        killedAt = text;
        child.kill('SIGKILL');
      }
    });
    expect(r.signal).toBe('SIGKILL');
    expect(tensorsOf(file('intervals', 'checkpoint.safetensors')).step).toBe(20);
    const lines = readFileSync(file('intervals', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; valLoss?: number });
    expect(lines.map((l) => l.step).slice(0, 5)).toEqual([5, 10, 15, 20, 25]);
    expect(lines.slice(0, 5).map((l) => l.valLoss !== undefined)).toEqual([false, true, false, true, false]);
    const resumed = await run(['train', '--resume', 'intervals', '--steps', '30']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^resuming LSTM .* at step 20 of 30/m);
    expect(metricsOf('intervals').map((l) => l.step)).toEqual([5, 10, 15, 20, 25, 30]);
  });

  it('--minutes stops after the budget with a checkpoint and the validation loss, and --resume goes on', async () => {
    const r = await run(['train', '--data', 'text.txt', ...SMALL, '--steps', '1000000', '--minutes', '0.03', '--out', 'budget']);
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    const stopped = Number(r.stdout.match(/^stopped by --minutes 0\.03 at step (\d+) of 1000000: loss \d\.\d{4}, validation loss \d\.\d{4} \(the whole held-out tail\) \(/m)![1]);
    expect(r.stdout).toContain('continue with: recurrent train --resume budget\n');
    expect(stopped).toBeGreaterThan(0);
    expect(tensorsOf(file('budget', 'checkpoint.safetensors')).step).toBe(stopped);
    const last = JSON.parse(readFileSync(file('budget', 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { step: number; valLoss: number; elapsed: number };
    expect(last.step).toBe(stopped);
    expect(Number.isFinite(last.valLoss)).toBe(true);
    expect(last.elapsed).toBeGreaterThanOrEqual(0.03 * 60);
    const more = await run(['train', '--resume', 'budget', '--minutes', '0.01']);
    expect(more, more.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(tensorsOf(file('budget', 'checkpoint.safetensors')).step).toBeGreaterThan(stopped);
  });

  it.each([
    [['--checkpoint-every', '0'], /^recurrent train: --checkpoint-every must be an integer >= 1 and <= 1000000000, got "0"\n$/],
    [['--val-every', '-3'], /^recurrent train: --val-every must be an integer >= 1 and <= 1000000000, got "-3"\n$/],
    [['--minutes', '0'], /^recurrent train: --minutes must be a number > 0 and <= 1000000, got "0"\n$/],
    [['--minutes', 'soon'], /^recurrent train: --minutes must be a number > 0 and <= 1000000, got "soon"\n$/],
  ])('refuses %j', async (flags, message) => {
    const r = await run(['train', '--data', 'text.txt', ...SMALL, ...flags, '--out', 'refused']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(file('refused'))).toBe(false);
  });

  it('says what the validation loss covers, in the help and in the output', async () => {
    const help = await run(['train', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('"val" is the mean cross entropy over the whole held-out tail (the last --val-fraction of the text), every character of it predicted once');
    const r = await run(['train', '--data', 'text.txt', ...SMALL, '--steps', '2', '--out', 'scope']);
    const tail = Math.floor(TEXT.length * 0.1);
    expect(r.stdout).toContain(`"val" is the mean cross entropy over the whole held-out tail (${tail} characters), every 10 steps and at the end\n`);
  });
});

describe('signals', () => {
  it('SIGINT saves a checkpoint at the current step and exits with 130; the run resumes from it', async () => {
    const r = await runAndInterrupt(['train', '--data', 'text.txt', ...SMALL, '--every', '5', '--steps', '1000000', '--out', 'interrupted'], /step 5\//);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toBe('');
    const stopped = Number(r.stdout.match(/stopped by SIGINT at step (\d+); checkpoint saved in interrupted\/checkpoint.safetensors/)![1]);
    expect(stopped).toBeGreaterThanOrEqual(5);
    expect(tensorsOf(file('interrupted', 'checkpoint.safetensors')).step).toBe(stopped);
    expect(metricsOf('interrupted').at(-1).step).toBe(stopped);
    const resumed = await run(['train', '--resume', 'interrupted', '--steps', String(stopped + 3)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(tensorsOf(file('interrupted', 'checkpoint.safetensors')).step).toBe(stopped + 3);
  });
});

describe('text encodings', () => {
  it('trains on UTF-16 with a byte-order mark, and on UTF-8 with one, as the same characters', async () => {
    writeFileSync(file('utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`café ${TEXT}`, 'utf16le')]));
    writeFileSync(file('utf8bom.txt'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`café ${TEXT}`)]));
    for (const name of ['utf16', 'utf8bom']) {
      const r = await run(['train', '--data', `${name}.txt`, ...SMALL, '--steps', '2', '--out', name]);
      expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
      const vocab = tensorsOf(file(name, 'checkpoint.safetensors')).extra.vocab as string[];
      expect(vocab.join('')).toBe([...new Set(`café ${TEXT}`)].sort().join(''));
    }
  });
});

describe('what the CLI says', () => {
  it('prints its version', async () => {
    const r = await run(['--version']);
    const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `recurrent ${version}\n` });
  });

  it('takes --model in any case, explains the step size, prints samples as text, says "1 character"', async () => {
    writeFileSync(file('one.txt'), 'a'.repeat(500));
    const r = await run(['train', '--data', 'text.txt', ...SMALL, '--model', 'GRU', '--steps', '50', '--out', 'upper']);
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^training GRU .* vocabulary \d+; 50 steps, each on 4 windows of 12 characters$/m);
    expect(r.stdout).toMatch(/^sample at step 50:\n {2}t/m); // the prompt, as written, not JSON
    expect(r.stdout).not.toMatch(/sample at step 50: "/);
    const one = await run(['train', '--data', 'one.txt', ...SMALL, '--steps', '1', '--out', 'one']);
    expect(one, one.stderr).toMatchObject({ code: 0, stderr: '' });
    expect((await run(['summary', '--checkpoint', 'one/checkpoint.safetensors'])).stdout).toMatch(/^vocabulary {2}1 character$/m);
    const fewer = await run(['sample', '--checkpoint', 'one/checkpoint.safetensors', '--prompt', 'b']);
    expect(fewer.stderr).toMatch(/\(its vocabulary has 1 character\)/);
  });

  it('resumes from the checkpoint file as from its folder', async () => {
    const r = await run(['train', '--resume', 'straight/checkpoint.safetensors']);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'nothing to do: the run in straight is already at step 100\n' });
  });
});

describe('resume without --steps', () => {
  it("trains on to the interrupted run's own target, not the default 1000", async () => {
    const r = await runAndInterrupt(['train', '--data', 'text.txt', ...SMALL, '--every', '5', '--steps', '60', '--out', 'target'], /step 5\//);
    expect(r.code, r.stderr).toBe(130);
    const stopped = tensorsOf(file('target', 'checkpoint.safetensors')).step;
    expect(stopped).toBeLessThan(60);
    expect(r.stdout).toContain('continue with: recurrent train --resume target\n');
    const resumed = await run(['train', '--resume', 'target']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resuming LSTM`);
    expect(resumed.stdout).toContain(`at step ${stopped} of 60\n`);
    expect(tensorsOf(file('target', 'checkpoint.safetensors')).step).toBe(60);
    const again = await run(['train', '--resume', 'target']);
    expect(again.stdout).toBe('nothing to do: the run in target is already at step 60\n');
  });
});

describe('recurrent compare', () => {
  it('trains RNN, LSTM and GRU alike and writes a table, compare.svg and compare.json', async () => {
    const r = await run(['compare', '--data', 'text.txt', '--hidden', '10', '--embed', '6', '--seq', '10', '--batch', '4', '--steps', '30', '--every', '10', '--out', 'cmp']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^model\s+parameters\s+final loss\s+final val loss\s+tokens\/s\s+wall time$/m);
    const rows = [...r.stdout.matchAll(/^(RNN|LSTM|GRU)\s+([\d,]+)\s+(\d\.\d{4})\s+(\d\.\d{4})\s+([\d,]+)\s+\S+s$/gm)];
    expect(rows.map((m) => m[1])).toEqual(['RNN', 'LSTM', 'GRU']);
    const params = rows.map((m) => Number(m[2].replace(/,/g, '')));
    expect(params[0]).toBeLessThan(params[2]);
    expect(params[2]).toBeLessThan(params[1]);
    const json = JSON.parse(readFileSync(file('cmp', 'compare.json'), 'utf8'));
    expect(json.results.map((x: { model: string }) => x.model)).toEqual(['rnn', 'lstm', 'gru']);
    expect(json.results.map((x: { parameters: number }) => x.parameters)).toEqual(params);
    expect(json.config).toMatchObject({ hidden: 10, seq: 10, batch: 4, seed: 1 });
    const svg = readFileSync(file('cmp', 'compare.svg'), 'utf8');
    expect(svg.match(/class="series"/g)).toHaveLength(6);
    for (const name of ['RNN training', 'RNN validation', 'LSTM validation', 'GRU validation']) expect(svg).toContain(`>${name}</text>`);
    for (const m of ['rnn', 'lstm', 'gru']) expect(existsSync(file('cmp', m, 'checkpoint.safetensors'))).toBe(true);
  });
});

describe('recurrent compare --resume', () => {
  it('continues an interrupted compare: finished runs kept, the stopped one resumed exactly', async () => {
    const flags = ['compare', '--data', 'text.txt', '--hidden', '10', '--embed', '6', '--seq', '10', '--batch', '4', '--steps', '40', '--every', '5'];
    const straight = await run([...flags, '--out', 'cmp-straight']);
    expect(straight.code, straight.stderr).toBe(0);
    const first = await runAndInterrupt([...flags, '--out', 'cmp-resumed'], /^lstm +step 5\//m);
    expect(first.code, first.stderr).toBe(130);
    expect(first.stdout).toContain('continue with the same command and --resume');
    const resumed = await run([...flags, '--out', 'cmp-resumed', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^lstm +resuming LSTM .* at step \d+ of 40$/m);
    const losses = (dir: string) => JSON.parse(readFileSync(file(dir, 'compare.json'), 'utf8')).results.map((r: { finalLoss: number; finalValLoss: number }) => [r.finalLoss, r.finalValLoss]);
    expect(losses('cmp-resumed')).toEqual(losses('cmp-straight'));
    const other = await run([...flags.map((f) => (f === '10' ? '12' : f)), '--out', 'cmp-resumed', '--resume']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^recurrent compare: the run in 'cmp-resumed\/rnn' was made with other flags or data \(hidden, seq\)/);
  });
});


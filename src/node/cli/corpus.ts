/**
 * The text a character-level model learns from: its vocabulary, the text as ids, the split
 * into a training head and a validation tail, and the batches.
 *
 *   text     c_0 c_1 ... c_{N-1}            (characters are Unicode code points)
 *   split    train = c_0 .. c_{N-V-1}, validation = the last V = floor(N * valFraction)
 *   batch    B windows of T + 1 characters at random starts s ~ U[0, trainLength - T - 1]:
 *            inputs c_s .. c_{s+T-1}, targets c_{s+1} .. c_{s+T}
 *   val      the whole validation tail, cut into consecutive windows of T + 1 characters that
 *            share their border character (the last window shorter): every character of the
 *            tail but its first is predicted exactly once, from the window's start (a zero
 *            state), as in training
 *
 * The random starts come from one Generator only, which a checkpoint saves, so a resumed run
 * draws exactly the batches the uninterrupted run would have.
 */
import { RecurrentError } from '../../tensor/errors.js';
import { UsageError } from './args.js';
import { plural } from './format.js';
import type { Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';

/** Inputs (B, T) as a Tensor of ids, and the B*T target ids, row-major. */
export interface Batch {
  inputs: Tensor;
  targets: Int32Array;
}

/** A text ready for training. */
export interface Corpus {
  /** Every distinct character, in code point order: id i is vocab[i]. */
  vocab: string[];
  /** The training head as ids. */
  train: Int32Array;
  /** The validation tail as ids (empty when valFraction is 0). */
  validation: Int32Array;
}

/** Validation windows run through the model at once (bounds the memory of the forward pass). */
const VAL_WINDOWS_PER_BATCH = 64;

/** The sorted distinct characters of `text`. */
export function vocabularyOf(text: string): string[] {
  return [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** FNV-1a (32-bit) of the text's UTF-16 units, as 8 hex digits: names the data a checkpoint saw. */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The distinct characters of `text` that `vocab` lacks, in order of appearance. */
export function unknownCharacters(text: string, vocab: readonly string[]): string[] {
  const known = new Set(vocab);
  return [...new Set(Array.from(text).filter((ch) => !known.has(ch)))];
}

/** The characters in a message: "a", "\n", "é" and N more. */
export function listCharacters(chars: readonly string[]): string {
  return chars.slice(0, 8).map((ch) => JSON.stringify(ch)).join(', ') + (chars.length > 8 ? ` and ${chars.length - 8} more` : '');
}

/** The ids of `text`'s characters in `vocab`; throws naming the characters `vocab` lacks. */
export function encode(op: string, text: string, vocab: readonly string[]): Int32Array {
  const unknown = unknownCharacters(text, vocab);
  if (unknown.length > 0) throw new RecurrentError(op, `the vocabulary of ${plural(vocab.length, 'character')} lacks ${listCharacters(unknown)}`);
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  return Int32Array.from(Array.from(text), (ch) => index.get(ch)!);
}

/**
 * Splits `text` into training head and validation tail. A text too short for `seq` is a usage
 * error (the flags do not fit the data).
 */
export function makeCorpus(op: string, text: string, vocab: readonly string[], valFraction: number, seq: number): Corpus {
  const ids = encode(op, text, vocab);
  const valLength = Math.floor(ids.length * valFraction);
  const train = ids.subarray(0, ids.length - valLength);
  const validation = ids.subarray(ids.length - valLength);
  if (train.length < seq + 2) {
    throw new UsageError(op, `the training text has ${plural(train.length, 'character')}; --seq ${seq} needs at least ${seq + 2}`);
  }
  if (valFraction > 0 && validation.length < seq + 1) {
    throw new UsageError(op, `the validation tail has ${plural(validation.length, 'character')}; --seq ${seq} needs at least ${seq + 1} (raise --val-fraction, lower --seq, or use --val-fraction 0)`);
  }
  return { vocab: [...vocab], train, validation };
}

/** B random training windows of T steps, their starts drawn from `generator`. */
export function sampleBatch(corpus: Corpus, batch: number, seq: number, generator: Generator): Batch {
  const inputs = new Float32Array(batch * seq);
  const targets = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const s = generator.randint(0, corpus.train.length - seq);
    for (let t = 0; t < seq; t++) {
      inputs[b * seq + t] = corpus.train[s + t];
      targets[b * seq + t] = corpus.train[s + t + 1];
    }
  }
  return { inputs: new Tensor(inputs, [batch, seq]), targets };
}

/**
 * The whole validation tail as batches of windows (see the module comment): consecutive
 * windows of `seq` inputs, then one shorter window for the rest; empty without a tail.
 */
export function validationBatches(corpus: Corpus, seq: number): Batch[] {
  const tail = corpus.validation;
  const predicted = Math.max(0, tail.length - 1);
  const full = Math.floor(predicted / seq);
  const batches: Batch[] = [];
  const window = (start: number, count: number, length: number): Batch => {
    const inputs = new Float32Array(count * length);
    const targets = new Int32Array(count * length);
    for (let w = 0; w < count; w++) {
      for (let t = 0; t < length; t++) {
        inputs[w * length + t] = tail[start + w * length + t];
        targets[w * length + t] = tail[start + w * length + t + 1];
      }
    }
    return { inputs: new Tensor(inputs, [count, length]), targets };
  };
  for (let w = 0; w < full; w += VAL_WINDOWS_PER_BATCH) batches.push(window(w * seq, Math.min(VAL_WINDOWS_PER_BATCH, full - w), seq));
  if (predicted > full * seq) batches.push(window(full * seq, 1, predicted - full * seq));
  return batches;
}

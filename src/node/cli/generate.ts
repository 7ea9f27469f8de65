/**
 * Text from a character model: feed the prompt, then draw one character at a time from the
 * softmax of the last logits divided by the temperature, feeding each back in.
 *
 *   p_i = exp(z_i / tau) / sum_j exp(z_j / tau)       tau = 0: always the most likely character
 */
import { noGrad } from '../../autograd/graph.js';
import type { Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { UsageError } from './args.js';
import type { CharModel } from './char-model.js';
import { encode, listCharacters, unknownCharacters } from './corpus.js';
import { plural } from './format.js';

/** The ids of a --prompt; an empty prompt or one with characters the model never saw is a usage error. */
export function promptIds(command: string, prompt: string, vocab: readonly string[]): Int32Array {
  if (prompt === '') throw new UsageError(command, '--prompt must not be empty');
  const unknown = unknownCharacters(prompt, vocab);
  if (unknown.length > 0) {
    throw new UsageError(command, `--prompt has characters the model never saw: ${listCharacters(unknown)} (its vocabulary has ${plural(vocab.length, 'character')})`);
  }
  return encode(command, prompt, vocab);
}

/** The index drawn from the distribution softmax(logits / temperature) (argmax at temperature 0). */
function draw(logits: Float32Array, offset: number, size: number, temperature: number, generator: Generator): number {
  let best = 0;
  for (let i = 1; i < size; i++) if (logits[offset + i] > logits[offset + best]) best = i;
  if (temperature === 0) return best;
  const max = logits[offset + best];
  const weights = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += weights[i] = Math.exp((logits[offset + i] - max) / temperature);
  let r = generator.random() * sum;
  for (let i = 0; i < size; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return best;
}

/** `length` characters continuing the prompt ids (the prompt itself not included). */
export function generate(model: CharModel, promptIds: Int32Array, vocab: readonly string[], length: number, temperature: number, generator: Generator): string {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const V = vocab.length;
      let out = '';
      let { logits, state } = model.forward(new Tensor(Float32Array.from(promptIds), [1, promptIds.length]));
      let offset = (promptIds.length - 1) * V;
      for (let i = 0; i < length; i++) {
        const next = draw(logits.data, offset, V, temperature, generator);
        out += vocab[next];
        if (i === length - 1) break;
        ({ logits, state } = model.forward(new Tensor(Float32Array.of(next), [1, 1]), state));
        offset = 0;
      }
      return out;
    });
  } finally {
    model.train(wasTraining);
  }
}

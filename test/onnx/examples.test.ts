/**
 * The models of the examples, exported with exportOnnx and run in ONNX Runtime at batch sizes
 * and lengths other than the export's example. sentiment's classifier is refused: its forward
 * reads the ids' values to compute `lengths`, which a traced graph would freeze (so the export
 * says so); seq2seq's model has no single forward (an encoder and a decoder step).
 */
import { expect, it } from 'vitest';
import { randint, randn, Tensor } from '../../src/index.js';
import { exportOnnx, type ExportableModule } from '../../src/onnx/index.js';
import { CharLSTM } from '../../examples/char-rnn.js';
import { Classifier as GradientsClassifier } from '../../examples/gradients.js';
import { DepthCounter } from '../../examples/hidden-states.js';
import { NextNumber } from '../../examples/next-number.js';
import { Classifier as SentimentClassifier } from '../../examples/sentiment.js';
import { NextValue } from '../../examples/sine.js';
import { Tagger } from '../../examples/tagging.js';
import { WordLSTM } from '../../examples/words.js';
import { engineSuite, ortSkipReason } from '../engines.js';
import { expectRejected } from '../helpers.js';
import { expectSameInOrt, SIZES } from './ort-check.js';

type Inputs = (B: number, T: number) => Tensor[];
const ids = (vocab: number): Inputs => (B, T) => [randint(0, vocab, [B, T])];
const floats = (features: number): Inputs => (B, T) => [randn([B, T, features])];

const MODELS: [string, ExportableModule, Inputs, boolean][] = [
  ['char-rnn CharLSTM', new CharLSTM(20, 16), ids(20), true],
  ['gradients Classifier (GRU)', new GradientsClassifier('GRU', 8, 1), floats(4), false],
  ['gradients Classifier (RNN relu)', new GradientsClassifier('RNN', 8, 1, { relu: true }), floats(4), false],
  ['hidden-states DepthCounter', new DepthCounter(), floats(3), false],
  ['next-number NextNumber', new NextNumber(), floats(1), false],
  ['sine NextValue', new NextValue(), floats(1), false],
  ['tagging Tagger (bidirectional)', new Tagger(true), ids(new Tagger(true).embed.numEmbeddings), true],
  ['words WordLSTM', new WordLSTM(30), ids(30), true],
];

engineSuite('the examples, exported to ONNX Runtime', ortSkipReason, () => {
  for (const [name, model, inputs, isIds] of MODELS) {
    it(name, async () => {
      await expectSameInOrt(model, inputs(3, 5), SIZES.map(([B, T]) => inputs(B, T)), [isIds]);
    });
  }
});

it("refuses sentiment's classifier, whose lengths come from the ids' values", () => {
  const model = new SentimentClassifier('LSTM');
  const err = expectRejected(() => exportOnnx(model, randint(1, model.embed.numEmbeddings, [3, 19])), 'exportOnnx');
  expect(err.message).toMatch(/LSTM lengths cannot be exported/);
});

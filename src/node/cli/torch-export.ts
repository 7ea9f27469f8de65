/**
 * `recurrent export --torch DIR`: the CLI's character model as a plain PyTorch project.
 *
 *   DIR/model.py             the same architecture in torch.nn (Embedding -> RNN | LSTM | GRU
 *                            -> Linear), the vocabulary, the run's settings, and a safetensors
 *                            reader and writer in a few lines of Python (no package beyond torch)
 *   DIR/weights.safetensors  the weights under the module's own state_dict keys, so
 *                            load_state_dict takes them as they are
 *   DIR/README.md            how to load it, sample, continue training there (on the training
 *                            head of the text only, as `recurrent train` does), and come back
 *
 * The way back: weights.safetensors and every file model.py's save_safetensors writes carry the
 * run's description in their metadata (RUN_METADATA_KEY), so `recurrent sample`, `summary` and
 * `train --resume` take them as they take a run's checkpoint.
 */
import { save } from '../../io/safetensors.js';
import { aModelName, modelName } from './char-model.js';
import type { CharModel } from './char-model.js';
import { markdownString, pythonLiteral, pythonString, shellString } from './literals.js';
import { RUN_METADATA_KEY, runDescription, type RunCheckpoint } from './run-checkpoint.js';

function modelPy(checkpoint: RunCheckpoint): string {
  const { config, vocab } = checkpoint.extra;
  const layer = modelName(config.model);
  return `"""A character-level ${layer} language model, exported by \`recurrent export\` from the
checkpoint CHECKPOINT at step STEP.

ids (B, T) -> Embedding(V, E) -> ${layer} (E -> H, L layers) -> Linear(H, V) -> logits (B, T, V)
"""
import json
import struct

import torch
from torch import nn

CHECKPOINT, STEP = ${pythonLiteral(checkpoint.path)}, ${pythonLiteral(checkpoint.contents.step)}  # where this was exported from
VOCAB = ${pythonLiteral(vocab)}  # the character of each id
DATA = ${pythonLiteral(config.data)}  # the text the run trained on
SEQ, BATCH, LEARNING_RATE, CLIP = ${pythonLiteral(config.seq)}, ${pythonLiteral(config.batch)}, ${pythonLiteral(config.lr)}, ${pythonLiteral(config.clip)}
VAL_FRACTION = ${pythonLiteral(config.valFraction)}  # the share of DATA held out at its end for validation: never train on it
# The recurrent run these weights come from; save_safetensors writes it into the file, so that
# \`recurrent sample\`, \`summary\` and \`train --resume\` take the weights saved here.
RUN = ${pythonLiteral(runDescription(checkpoint))}


class CharModel(nn.Module):
    def __init__(self, vocab_size=${pythonLiteral(vocab.length)}, embed=${pythonLiteral(config.embed)}, hidden=${pythonLiteral(config.hidden)}, layers=${pythonLiteral(config.layers)}):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.rnn = nn.${layer}(embed, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, ids, state=None):
        """ids (B, T) -> logits (B, T, V) and the final state, starting from state (zeros if None)."""
        output, state = self.rnn(self.embed(ids), state)
        return self.head(output), state


def encode(text):
    """The ids of a text (every character must be in VOCAB)."""
    index = {ch: i for i, ch in enumerate(VOCAB)}
    return [index[ch] for ch in text]


def split(ids):
    """The training head and the validation tail of ids, as \`recurrent train\` splits them."""
    held_out = int(len(ids) * VAL_FRACTION)
    return ids[:len(ids) - held_out], ids[len(ids) - held_out:]


def load_safetensors(path):
    """The float32 tensors of a safetensors file: an 8-byte header length, a JSON header, the data."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    tensors = {}
    for name, info in header.items():
        assert info['dtype'] == 'F32', name
        begin, end = info['data_offsets']
        raw = bytearray(data[8 + n + begin:8 + n + end])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(info['shape']).clone()
    return tensors


def save_safetensors(tensors, path, metadata={'${RUN_METADATA_KEY}': RUN}):
    """Writes float32 tensors as safetensors (which \`recurrent\` and the safetensors package read), with metadata (strings)."""
    header, blobs, offset = {'__metadata__': dict(metadata)} if metadata else {}, [], 0
    for name in sorted(tensors):
        raw = tensors[name].detach().contiguous().float().cpu().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def load(path='weights.safetensors'):
    """The model with the exported weights."""
    model = CharModel()
    model.load_state_dict(load_safetensors(path))
    return model
`;
}

function readme(checkpoint: RunCheckpoint): string {
  const layer = aModelName(checkpoint.extra.config.model);
  return `# ${layer[0]!.toUpperCase()}${layer.slice(1)} character model, continued in PyTorch

Exported by \`recurrent export\` from the checkpoint ${markdownString(checkpoint.path)} (step ${checkpoint.contents.step}).
\`model.py\` defines the same architecture in \`torch.nn\`; \`weights.safetensors\` holds its
weights under the module's own \`state_dict\` keys. Only \`torch\` is needed (model.py reads and
writes safetensors itself). Run the snippets from this folder.

Next-character probabilities for a prompt:

\`\`\`python
import torch
from model import load, encode
model = load().eval()
with torch.no_grad():
    logits, state = model(torch.tensor([encode(${pythonString(checkpoint.extra.prompt)})]))
print(logits[0, -1].softmax(-1))
\`\`\`

Continue training (on a GPU: \`model.cuda()\` and the batches with it; several GPUs:
\`torch.nn.parallel.DistributedDataParallel\`), then save the weights for \`recurrent\` again:

\`\`\`python
import torch
from model import BATCH, CLIP, DATA, LEARNING_RATE, SEQ, encode, load, save_safetensors, split
model = load().train()
optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
train, validation = split(torch.tensor(encode(open(DATA, encoding='utf-8').read())))
for step in range(10):
    starts = torch.randint(0, len(train) - SEQ, (BATCH,)).tolist()  # windows inside the training head
    batch = torch.stack([train[s:s + SEQ + 1] for s in starts])
    logits, _ = model(batch[:, :-1])
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    if CLIP > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    optimizer.step()
    print(step, loss.item())
save_safetensors(model.state_dict(), 'continued.safetensors')
\`\`\`

The batches come from the training head of the text only; the tail \`recurrent train\` held
out for validation stays unseen. The optimizer starts fresh: Adam's moments from the
\`recurrent\` run are not carried over.

Back in \`recurrent\`: \`save_safetensors\` writes the run's description (\`RUN\` in
model.py) into the file, so the weights saved here work as a checkpoint:

\`\`\`sh
npx recurrent sample --checkpoint continued.safetensors --prompt ${shellString(checkpoint.extra.prompt)}
npx recurrent summary --checkpoint continued.safetensors
npx recurrent train --resume continued.safetensors --out continued-run --steps ${(checkpoint.extra.steps ?? checkpoint.contents.step) + 1000}
\`\`\`

\`train --resume\` continues the step count of the exported run (step ${checkpoint.contents.step}; the
steps taken in PyTorch are not counted) with a fresh Adam, into a new run folder (\`--out\`,
default runs/${checkpoint.extra.config.model}).
`;
}

/** The files of the project, in the order {@link torchProject} gives them. */
export const TORCH_FILES = ['weights.safetensors', 'model.py', 'README.md'] as const;

/** The files of the project: their names ({@link TORCH_FILES}) and bytes. */
export function torchProject(checkpoint: RunCheckpoint, model: CharModel): [name: string, bytes: Uint8Array][] {
  const bytes = [
    save(model.stateDict(), { [RUN_METADATA_KEY]: runDescription(checkpoint) }),
    new TextEncoder().encode(modelPy(checkpoint)),
    new TextEncoder().encode(readme(checkpoint)),
  ];
  return TORCH_FILES.map((name, i) => [name, bytes[i]]);
}

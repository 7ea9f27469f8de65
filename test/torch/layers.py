"""Runs torch.nn.RNN / LSTM / GRU on cases written by torch-layers.test.ts.

usage: python3 layers.py DIR   -- for every DIR/*.in.safetensors writes DIR/*.out.safetensors

A case holds the layer's config (in __metadata__), its inputs x, h0, c0, the output
gradients gout, gh, gc, and either the layer's weights (written by the library: torch loads
them) or none (torch initialises the layer from a seed and writes its weights out). Lengths run
through pack_padded_sequence. Out: output, h, c, the weights, and the gradients of the loss
sum(output*gout) + sum(h*gh) + sum(c*gc) for x, h0, c0 and every weight ("grad.<name>").
Safetensors is read and written by hand (header length, JSON, raw float32), so no package
beyond torch is needed.
"""
import json
import pathlib
import struct
import sys

import torch


def read(path):
    data = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        raw = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(info['shape']).clone()
    return out, meta


def write(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        raw = tensors[name].detach().contiguous().float().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    pathlib.Path(path).write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def run(case):
    t, meta = read(case)
    config = json.loads(meta['config'])
    kind = config.pop('kind')
    seed = config.pop('seed')
    lengths = config.pop('lengths')
    torch.manual_seed(seed)
    layer = {'LSTM': torch.nn.LSTM, 'GRU': torch.nn.GRU, 'RNN': torch.nn.RNN}[kind](**config)
    weights = {k: v for k, v in t.items() if k in layer.state_dict()}
    if weights:
        layer.load_state_dict(weights)
    x = t['x'].requires_grad_()
    h0 = t['h0'].requires_grad_()
    c0 = t['c0'].requires_grad_() if kind == 'LSTM' else None
    state = (h0, c0) if kind == 'LSTM' else h0
    inp = x
    if lengths is not None:
        inp = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=config['batch_first'], enforce_sorted=False)
    output, final = layer(inp, state)
    if lengths is not None:
        steps = x.shape[1 if config['batch_first'] else 0]
        output, _ = torch.nn.utils.rnn.pad_packed_sequence(output, batch_first=config['batch_first'], total_length=steps)
    h, c = final if kind == 'LSTM' else (final, None)
    loss = (output * t['gout']).sum() + (h * t['gh']).sum()
    if c is not None:
        loss = loss + (c * t['gc']).sum()
    loss.backward()
    out = {'output': output, 'h': h, 'grad.x': x.grad, 'grad.h0': h0.grad}
    if c is not None:
        out.update({'c': c, 'grad.c0': c0.grad})
    for name, p in layer.named_parameters():
        out[name] = p
        out['grad.' + name] = p.grad
    write(str(case).replace('.in.', '.out.'), out)


for case in sorted(pathlib.Path(sys.argv[1]).glob('*.in.safetensors')):
    run(case)

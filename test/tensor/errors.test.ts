/**
 * Rejected input: every failure is a RecurrentError whose message starts with the op's name
 * and names the offending shapes (or values), with a stable code.
 */
import { describe, expect, it } from 'vitest';
import {
  Generator,
  RecurrentError,
  arange,
  cat,
  eye,
  full,
  gather,
  indexSelect,
  matmul,
  ones,
  rand,
  randint,
  randn,
  stack,
  tensor,
  zeros,
  type ErrorCode,
} from '../../src/index.js';

/** Runs `fn`, expecting a RecurrentError from `op`, and returns it. */
function rejects(op: string, fn: () => unknown, code?: ErrorCode): RecurrentError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${op}: expected a RecurrentError`).toBeInstanceOf(RecurrentError);
  const err = caught as RecurrentError;
  expect(err.message.startsWith(`${op}: `), `message "${err.message}" should start with "${op}: "`).toBe(true);
  expect(err.op).toBe(op);
  expect(err.name).toBe('RecurrentError');
  if (code !== undefined) expect(err.code, err.message).toBe(code);
  return err;
}

describe('matmul', () => {
  it('inner-size mismatch has exactly the documented message', () => {
    const err = rejects('matmul', () => matmul(zeros([2, 3]), zeros([4, 5])), 'shape');
    expect(err.message).toBe('matmul: inner sizes differ, [2,3] @ [4,5]');
  });

  it('names the shapes as given, for vectors and batches too', () => {
    expect(rejects('matmul', () => matmul(zeros([3]), zeros([4]))).message).toBe('matmul: inner sizes differ, [3] @ [4]');
    expect(rejects('matmul', () => zeros([2, 3]).matmul(zeros([2]))).message).toBe('matmul: inner sizes differ, [2,3] @ [2]');
    expect(rejects('matmul', () => matmul(zeros([5, 2, 3]), zeros([4, 3, 1])), 'shape').message).toContain('[5]');
    expect(rejects('matmul', () => matmul(zeros([]), zeros([3])), 'shape').message).toContain('[] @ [3]');
  });
});

describe('broadcasting', () => {
  it('non-broadcastable operands name both shapes', () => {
    for (const op of ['add', 'sub', 'mul', 'div', 'pow'] as const) {
      const err = rejects(op, () => zeros([2, 3])[op](zeros([4])), 'shape');
      expect(err.message).toContain('[2,3]');
      expect(err.message).toContain('[4]');
    }
  });

  it('expand to an incompatible shape names both', () => {
    const err = rejects('expand', () => zeros([2, 3]).expand(2, 4), 'shape');
    expect(err.message).toContain('[2,3]');
    expect(err.message).toContain('[2,4]');
    rejects('expand', () => zeros([2, 3]).expand(3));
  });

  it('a mask that does not broadcast to the input is refused', () => {
    const err = rejects('maskedFill', () => zeros([3]).maskedFill(ones([2, 3]), 0), 'shape');
    expect(err.message).toContain('[2,3]');
    expect(err.message).toContain('[3]');
  });
});

describe('tensor()', () => {
  it('refuses non-finite values wherever they are', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(rejects('tensor', () => tensor(bad), 'value').message).toContain(String(bad));
      expect(rejects('tensor', () => tensor([[1, 2], [3, bad]]), 'value').message).toContain('data[1][1]');
      expect(rejects('tensor', () => tensor(Float32Array.from([0, bad])), 'value').message).toContain('data[1]');
      rejects('tensor', () => tensor([1, 2, 3, bad], [2, 2]), 'value');
    }
  });

  it('refuses ragged nested arrays, naming where', () => {
    expect(rejects('tensor', () => tensor([[1, 2], [3]]), 'shape').message).toContain('data[1]');
    expect(rejects('tensor', () => tensor([[1, 2], 3 as unknown as number[]])).message).toContain('data[1]');
    expect(rejects('tensor', () => tensor([1, [2]])).message).toContain('data[1]');
    expect(rejects('tensor', () => tensor([[[1], [2]], [[3], [4, 5]]])).message).toContain('data[1][1]');
  });

  it('refuses a shape that does not fit the data, naming it', () => {
    expect(rejects('tensor', () => tensor([1, 2, 3], [2, 2]), 'shape').message).toContain('[2,2]');
    expect(rejects('tensor', () => tensor(new Float32Array(6), [4]), 'shape').message).toContain('[4]');
    rejects('tensor', () => tensor([1, 2], [-1, -2]), 'shape');
    rejects('tensor', () => tensor('1' as unknown as number));
  });
});

describe('sizes', () => {
  const bad: number[][] = [[-1], [2, -3], [2.5], [3, 0.5], [NaN], [Infinity]];

  it('zeros, ones, full, rand, randn refuse negative or fractional sizes, naming the shape', () => {
    for (const shape of bad) {
      const shown = `[${shape.join(',')}]`;
      expect(rejects('zeros', () => zeros(shape), 'shape').message).toContain(shown);
      expect(rejects('ones', () => ones(shape), 'shape').message).toContain(shown);
      expect(rejects('full', () => full(shape, 2), 'shape').message).toContain(shown);
      expect(rejects('rand', () => rand(shape), 'shape').message).toContain(shown);
      expect(rejects('randn', () => randn(shape), 'shape').message).toContain(shown);
      expect(rejects('randint', () => randint(0, 3, shape), 'shape').message).toContain(shown);
    }
    rejects('zeros', () => zeros('3' as unknown as number[]), 'shape');
    rejects('eye', () => eye(-1), 'shape');
    rejects('eye', () => eye(2, 1.5), 'shape');
  });

  it('reshape refuses negative, fractional or mismatched sizes, naming both shapes', () => {
    const x = zeros([2, 6]);
    for (const shape of [[-2, -6], [2.5, 4], [5, 3], [-1, 5], [-1, -1], [4, -3]]) {
      const err = rejects('reshape', () => x.reshape(...shape), 'shape');
      expect(err.message).toContain('[2,6]');
      expect(err.message).toContain(`[${shape.join(',')}]`);
    }
    expect(x.reshape(-1, 3).shape).toEqual([4, 3]);
    // An empty tensor with a 0 beside the -1: any size fits, so PyTorch refuses it
    // ("the unspecified dimension size -1 can be any value and is ambiguous").
    const empty = zeros([0, 3]);
    for (const shape of [[-1, 0], [0, -1], [2, -1, 0]]) {
      expect(rejects('reshape', () => empty.reshape(...shape), 'shape').message).toMatch(/reshape: cannot infer the -1 of \[.*\] for \[0,3\]: with a size 0 beside it any size fits/);
    }
    expect(empty.reshape(-1, 3).shape).toEqual([0, 3]);
    expect(empty.reshape(5, -1).shape).toEqual([5, 0]);
  });

  it('full refuses a NaN fill value', () => {
    rejects('full', () => full([2], NaN), 'value');
  });

  it('shapes with more than 2^31 - 1 elements are rejected before allocating', () => {
    const huge = [65536, 65536];
    for (const [op, fn] of [
      ['zeros', () => zeros(huge)],
      ['ones', () => ones(huge)],
      ['full', () => full(huge, 1)],
      ['rand', () => rand(huge)],
      ['randn', () => randn(huge)],
      ['eye', () => eye(65536)],
      ['expand', () => zeros([1, 1]).expand(...huge)],
      ['matmul', () => matmul(zeros([65536, 1]), zeros([1, 65536]))],
      ['tensor', () => tensor([1], [65536, 65536, 0.5])],
    ] as [string, () => unknown][]) {
      const err = rejects(op, fn, 'shape');
      if (op !== 'tensor') expect(err.message, op).toContain('2147483647');
    }
    // One past the limit is refused; the limit itself is a valid shape (never allocated here).
    rejects('zeros', () => zeros([2 ** 31]), 'shape');
    expect(rejects('zeros', () => zeros([2 ** 16, 2 ** 16, 2 ** 16])).message).toContain('[65536,65536,65536]');
  });

  it('arange refuses non-finite bounds and a zero step', () => {
    rejects('arange', () => arange(0, Infinity), 'value');
    rejects('arange', () => arange(0, 3, 0), 'value');
  });
});

describe('joining', () => {
  it('cat with mismatched shapes names all of them', () => {
    const err = rejects('cat', () => cat([zeros([2, 3]), zeros([2, 4])], 0), 'shape');
    expect(err.message).toContain('[2,3]');
    expect(err.message).toContain('[2,4]');
    rejects('cat', () => cat([zeros([2, 3]), zeros([6])], 0), 'shape');
    rejects('cat', () => cat([]));
    expect(cat([zeros([2, 3]), zeros([2, 4])], 1).shape).toEqual([2, 7]);
  });

  it('stack with mismatched shapes names them', () => {
    const err = rejects('stack', () => stack([zeros([2, 3]), zeros([3, 2])]), 'shape');
    expect(err.message).toContain('[2,3]');
    expect(err.message).toContain('[3,2]');
  });

  it('split sizes that do not sum to the dim are refused', () => {
    const err = rejects('split', () => zeros([5, 2]).split([2, 2]), 'shape');
    expect(err.message).toContain('[5,2]');
    rejects('split', () => zeros([5]).split(0));
    rejects('chunk', () => zeros([5]).chunk(0));
  });
});

describe('out-of-range dims', () => {
  const x = zeros([3, 4]);
  const cases: [string, () => unknown][] = [
    ['select', () => x.select(2, 0)],
    ['select', () => x.select(-3, 0)],
    ['narrow', () => x.narrow(2, 0, 1)],
    ['slice', () => x.slice(5)],
    ['indexSelect', () => x.indexSelect(2, [0])],
    ['gather', () => x.gather(2, zeros([3, 4]))],
    ['sum', () => x.sum(2)],
    ['mean', () => x.mean([0, -3])],
    ['max', () => x.max(7)],
    ['softmax', () => x.softmax(2)],
    ['logSoftmax', () => x.logSoftmax(-3)],
    ['transpose', () => x.transpose(0, 2)],
    ['permute', () => x.permute(0, 2)],
    ['squeeze', () => x.squeeze(2)],
    ['unsqueeze', () => x.unsqueeze(3)],
    ['split', () => x.split(1, 2)],
    ['chunk', () => x.chunk(2, 2)],
    ['cat', () => cat([x, x], 2)],
    ['stack', () => stack([x, x], 3)],
  ];
  for (const [op, fn] of cases) {
    it(`${op} names the dim and the shape`, () => {
      const err = rejects(op, fn, 'argument');
      expect(err.message).toMatch(/dim/);
      expect(err.message).toContain('[3,4]');
    });
  }

  it('a dim listed twice in a reduction is refused', () => {
    rejects('sum', () => x.sum([1, -1]));
  });

  it('a non-permutation is refused, naming the shape', () => {
    expect(rejects('permute', () => x.permute(0, 0), 'shape').message).toContain('[3,4]');
    expect(rejects('permute', () => x.permute(0), 'shape').message).toContain('[3,4]');
  });
});

describe('out-of-range indices', () => {
  const x = zeros([3, 4]);

  it('select names the index, the dim and the shape', () => {
    for (const index of [3, -4, 1.5]) {
      const err = rejects('select', () => x.select(0, index), 'shape');
      expect(err.message).toContain(String(index));
      expect(err.message).toContain('[3,4]');
    }
  });

  it('narrow names start, length and the shape', () => {
    for (const [start, length] of [[2, 2], [-4, 1], [-1, 2], [0, 4], [0, -1], [0.5, 1]]) {
      const err = rejects('narrow', () => x.narrow(0, start!, length!), 'shape');
      expect(err.message).toContain(`start ${start} and length ${length}`);
      expect(err.message).toContain('[3,4]');
    }
    // A negative start counts from the end, as in PyTorch.
    expect(Array.from(x.narrow(0, -1, 1).data)).toEqual(Array.from(x.narrow(0, 2, 1).data));
  });

  it('indexSelect names the bad index, its position and the shape', () => {
    for (const index of [[0, 3], [-1], [0.5]]) {
      const bad = index[index.length - 1]!;
      const err = rejects('indexSelect', () => indexSelect(x, 0, index), 'argument');
      expect(err.message).toContain(`index ${bad} at position ${index.length - 1}`);
      expect(err.message).toContain('[0, 3)');
      expect(err.message).toContain('[3,4]');
    }
    expect(rejects('indexSelect', () => x.indexSelect(1, tensor([[0, 1]])), 'shape').message).toContain('[1,2]');
  });

  it('gather names the bad index and the shape, and refuses index shapes that do not fit', () => {
    const err = rejects('gather', () => gather(x, 1, tensor([[0, 4]])), 'argument');
    expect(err.message).toContain('index 4 at position 1');
    expect(err.message).toContain('[3,4]');
    const shapeErr = rejects('gather', () => gather(x, 1, zeros([4, 1])), 'shape');
    expect(shapeErr.message).toContain('[4,1]');
    expect(shapeErr.message).toContain('[3,4]');
    rejects('gather', () => gather(x, 1, zeros([3])), 'shape');
  });
});

describe('autograd misuse and other state errors', () => {
  it('item on a tensor of several elements names its shape', () => {
    expect(rejects('item', () => zeros([2, 2]).item(), 'shape').message).toContain('[2,2]');
  });

  it('size(dim) out of range names the shape', () => {
    expect(rejects('size', () => zeros([2, 2]).size(2)).message).toContain('[2,2]');
  });

  it('clamp needs a bound and refuses NaN bounds', () => {
    rejects('clamp', () => zeros([2]).clamp());
    rejects('clamp', () => zeros([2]).clamp(NaN, 1), 'value');
  });

  it('Generator refuses bad seeds, ranges and states', () => {
    rejects('Generator', () => new Generator(1.5));
    rejects('Generator.randint', () => new Generator().randint(3, 3));
    rejects('Generator.randint', () => new Generator().randint(0, 2 ** 32 + 1));
    rejects('randint', () => randint(2, 1, [3]));
    rejects('Generator.setState', () => new Generator().setState({ s: [0, 0, 0, 0], spareNormal: null }), 'format');
    rejects('Generator.setState', () => new Generator().setState({ s: [1, 2, 3, -4], spareNormal: null }), 'format');
    rejects('Generator.setState', () => new Generator().setState({ s: [1, 2, 3, 4], spareNormal: NaN }), 'format');
  });
});

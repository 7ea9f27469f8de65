/**
 * Matrix products in WebAssembly SIMD, emitted as bytes by the assembler.
 *
 *   C(m,n) = [C +] A(m,k) · B(k,n) [+ bias]   A(i,p) at a + i*ai + p*ap,  B(p,j) in 8-column panels
 *
 * One kernel serves every layout because A is read through two strides and B through panels:
 * B(p, j) lives at b + (j / 8) * bpanel + p * bp + (j % 8) * 4 (all in bytes). So
 *   - a row-major (k, n) matrix is read in place: bp = 4n, bpanel = 32 (8 floats to the right);
 *   - a packed matrix (see packTransposed) has bp = 32, bpanel = 32k: each panel is k rows of 8.
 * NN and TN read B in place (a product of 16 rows or more copies each panel to scratch first,
 * see PACK_MIN_ROWS); NT (x · Wᵀ, every layer's forward) packs W once per version of its
 * storage (packs.ts).
 *
 * Register tile: 4 rows × 8 columns. For every p, two v128 loads of B, four f32 loads of A
 * splatted to all lanes, and eight multiply-adds into eight v128 accumulators that stay in
 * registers for the whole p loop (larger tiles spill on x64). Rows left over take a 1 × 8 tile.
 * Columns past n in the last panel are computed but never stored, so a panel read in place may
 * run past the end of its row (every heap block has 32 bytes of slack for that).
 * The optional bias (a row of n floats, address 0 for none) is added to each finished sum, as
 * PyTorch's addmm does (near the float32 limit, (3e38 + 3e38) - 3e38 is Infinity where a sum
 * started at the bias would give 3e38), so a layer's x Wᵀ + b is one pass over C. Every C
 * entry is one sum over p in increasing order,
 * whatever tile computes it, so a result does not depend on m, on which rows a thread takes,
 * or on the tile shape.
 */
import type { FunctionDef } from './assembler.js';
import { callKernel, kernelCode, kernelDef } from './abi.js';

const I32 = 'i32' as const;

/** Transpose tiles, rows × columns of the source: 128 × 8 writes 8 destination rows of 512 bytes (measured best of 4..256 × 4..64: 1.2 ms for 2048 × 1024, 7 ms untiled). */
const TILE_ROWS = 128;
const TILE_COLS = 8;

/** Rows of A per chunk: 128 rows of a KC-long block of A (128 KB) stay in L2 while B's panels pass (64: 3-10% slower at 256³-512³). */
const MC = 128;

/** Rows of k per block: a B panel block (KC × 8 floats) stays in L1 while A streams. */
const KC = 256;

/**
 * Scratch for panels of a B read in place: SLOTS slots of one panel (KC × 8 floats) each at
 * SLOT_AT, and one i32 flag per slot at SLOT_FLAGS (1 = in use). A gemm on a shared memory
 * claims a free slot with an atomic compare-exchange (threads run products side by side); on
 * a private memory only one runs at a time and slot 0 is its own. The heap never hands out
 * these bytes (see `GEMM_SCRATCH`).
 */
const SLOTS = 8;
const SLOT_FLAGS = 64;
const SLOT_AT = 4096;
const SLOT_BYTES = KC * 32;

/** Where the product kernel keeps its scratch: `end` bytes at the start of the memory, which the heap never hands out. */
export const GEMM_SCRATCH = { slots: SLOTS, flags: SLOT_FLAGS, end: SLOT_AT + SLOTS * SLOT_BYTES } as const;

/**
 * A B read in place (row stride bp ≠ 32) is copied panel by panel into a slot when the product
 * has at least this many rows: read in place, a panel's KC rows lie bp bytes apart, and for bp
 * a multiple of 1 KiB they fall into a few L1 cache sets and are fetched from L2 by every row
 * tile, so the product runs at the speed of whatever share of L2 it gets (at 256³ on a busy
 * machine, from 24 to 48 GFLOP/s between processes); copied, the panel's 8 KiB stay in L1
 * while the chunk's row tiles pass. Below this many rows the copy costs more than it saves.
 */
const PACK_MIN_ROWS = 16;

/**
 * The product kernel over one block of k (at most KC); `fma` uses relaxed-SIMD fused
 * multiply-add where the engine has it; `shared` says whether threads share the memory (and
 * so claim scratch slots atomically).
 */
export function gemmBlockFunction(fma: boolean, shared: boolean): FunctionDef {
  const { code, p: { m, k, n, a, ai, ap, b, bp, bpanel, c, ldc, accumulate: acc, bias } } = kernelCode('gemmBlock');
  const i = code.local(I32), j = code.local(I32), p = code.local(I32), end = code.local(I32);
  const pa = code.local(I32), pb = code.local(I32), pc = code.local(I32), rem = code.local(I32);
  const ai2 = code.local(I32), ai3 = code.local(I32), i0 = code.local(I32), chunkEnd = code.local(I32);
  const slot = code.local(I32), flag = code.local(I32), panel = code.local(I32), step = code.local(I32);
  const src = code.local(I32), dst = code.local(I32);
  const scalar = code.local('f32');
  const x = code.local('v128'), b0 = code.local('v128'), b1 = code.local('v128');
  const sums = [0, 1, 2, 3].map(() => [code.local('v128'), code.local('v128')]);

  /** s (+)= x · bv, as one fused op or a multiply then an add. */
  const madd = (s: number, bv: number): void => {
    // Stryker disable next-line ConditionalExpression: relaxed_madd may round as a multiply then an add (the engine chooses), so no result tells the two apart everywhere; relaxed-simd.test.ts checks that the fused kernel is chosen
    if (fma) code.get(x).get(bv).get(s).op('f32x4.relaxed_madd').set(s);
    else code.get(s).get(x).get(bv).op('f32x4.mul').op('f32x4.add').set(s);
  };

  /** Address of row r of the current C tile: pc + r * ldc. */
  const rowOfC = (r: number): void => {
    code.get(pc);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: true (or r >= 0) adds ldc * 0 for row 0, which changes no address (false is caught: rows past 0 land on row 0)
    if (r > 0) code.get(ldc).i32(r).op('i32.mul').op('i32.add');
  };

  /** The tile of `rows` rows at row i, columns j … j+7. */
  const tile = (rows: number): void => {
    for (let r = 0; r < rows; r++) for (const s of sums[r]) code.f32x4(0).set(s);
    code.get(a).get(i).get(ai).op('i32.mul').op('i32.add').set(pa);
    code.get(panel).set(pb);
    code.i32(0).set(p);
    code.forLoop(p, k, { const: 1 }, () => {
      code.get(pb).load('v128').set(b0);
      code.get(pb).load('v128', 16).set(b1);
      for (let r = 0; r < rows; r++) {
        code.get(pa);
        if (r > 0) code.get([0, ai, ai2, ai3][r]).op('i32.add');
        code.load('splat').set(x);
        madd(sums[r][0], b0);
        madd(sums[r][1], b1);
      }
      code.get(pa).get(ap).op('i32.add').set(pa);
      code.get(pb).get(step).op('i32.add').set(pb);
    });
    // Store the tile: whole vectors when 8 columns remain, else lane by lane.
    code.get(c).get(i).get(ldc).op('i32.mul').op('i32.add').get(j).i32(2).op('i32.shl').op('i32.add').set(pc);
    code.get(n).get(j).op('i32.sub').tee(rem).i32(8).op('i32.ge_s');
    code.if(() => {
      for (let r = 0; r < rows; r++) {
        for (let h = 0; h < 2; h++) {
          code.get(acc).if(() => {
            rowOfC(r);
            code.load('v128', h * 16).get(sums[r][h]).op('f32x4.add').set(sums[r][h]);
          });
          code.get(bias).if(() => {
            code.get(sums[r][h]).get(bias).get(j).i32(2).op('i32.shl').op('i32.add').load('v128', h * 16).op('f32x4.add').set(sums[r][h]);
          });
          rowOfC(r);
          code.get(sums[r][h]).store('v128', h * 16);
        }
      }
    }, () => {
      for (let r = 0; r < rows; r++) {
        for (let l = 0; l < 8; l++) {
          code.get(rem).i32(l).op('i32.gt_s').if(() => {
            code.get(sums[r][l >> 2]).lane(l & 3).set(scalar);
            code.get(acc).if(() => {
              rowOfC(r);
              code.load('f32', 4 * l).get(scalar).op('f32.add').set(scalar);
            });
            code.get(bias).if(() => {
              code.get(scalar).get(bias).get(j).i32(2).op('i32.shl').op('i32.add').load('f32', 4 * l).op('f32.add').set(scalar);
            });
            rowOfC(r);
            code.get(scalar).store('f32', 4 * l);
          });
        }
      }
    });
  };

  code.get(k).op('i32.eqz').get(bias).op('i32.eqz').op('i32.and').if(() => {
    // An empty sum and no bias: C = 0, or unchanged when accumulating.
    code.get(acc).op('i32.eqz').if(() => {
      code.i32(0).set(i);
      code.forLoop(i, m, { const: 1 }, () => {
        code.get(c).get(i).get(ldc).op('i32.mul').op('i32.add').i32(0).get(n).i32(2).op('i32.shl').memoryFill();
      });
    });
    code.op('return');
  });
  code.get(ai).i32(1).op('i32.shl').set(ai2);
  code.get(ai2).get(ai).op('i32.add').set(ai3);
  // A scratch slot for B's panels when B is read in place and the product is large enough.
  code.i32(0).set(slot);
  code.get(bp).i32(32).op('i32.ne').get(m).i32(PACK_MIN_ROWS).op('i32.ge_s').op('i32.and').get(k).i32(KC).op('i32.le_s').op('i32.and').if(() => {
    if (!shared) {
      code.i32(SLOT_AT).set(slot);
      return;
    }
    code.i32(0).set(i);
    code.block(() => code.loop(() => {
      code.get(i).i32(SLOTS).op('i32.ge_s').brIf(1);
      code.get(i).i32(2).op('i32.shl').tee(flag).i32(0).i32(1).atomic('cmpxchg', SLOT_FLAGS).op('i32.eqz').if(() => {
        code.get(i).i32(SLOT_BYTES).op('i32.mul').i32(SLOT_AT).op('i32.add').set(slot);
        code.br(2);
      });
      code.get(i).i32(1).op('i32.add').set(i).br(0);
    }));
  });
  code.get(slot).if(() => code.i32(32).set(step), () => code.get(bp).set(step));
  // Rows in chunks of MC; in a chunk, panel by panel, every row tile: a panel of B is read
  // from memory once per chunk (copied to the slot if there is one) and then stays in L1
  // while the chunk's rows (in L2) stream by.
  code.i32(0).set(i0);
  code.forLoop(i0, m, { const: MC }, () => {
    code.get(i0).i32(MC).op('i32.add').tee(chunkEnd).get(m).op('i32.gt_s').if(() => code.get(m).set(chunkEnd));
    // Stryker disable next-line UnaryOperator: & 4 gives an end at or before the right one, and the 1-row tile computes the rows after it to the same bits (a 4-row tile only loads B once for four rows)
    code.get(chunkEnd).get(i0).op('i32.sub').i32(-4).op('i32.and').get(i0).op('i32.add').set(end);
    code.i32(0).set(j);
    code.forLoop(j, n, { const: 8 }, () => {
      code.get(b).get(j).i32(3).op('i32.shr_s').get(bpanel).op('i32.mul').op('i32.add').set(panel);
      code.get(slot).if(() => {
        // the panel's k rows of 8 floats (those past n included: slack) to the slot, 32 bytes apart
        code.get(panel).set(src);
        code.get(slot).tee(panel).set(dst);
        code.i32(0).set(p);
        code.forLoop(p, k, { const: 1 }, () => {
          code.get(dst).get(src).load('v128').store('v128');
          code.get(dst).get(src).load('v128', 16).store('v128', 16);
          code.get(src).get(bp).op('i32.add').set(src);
          code.get(dst).i32(32).op('i32.add').set(dst);
        });
      });
      code.get(i0).set(i);
      code.forLoop(i, end, { const: 4 }, () => tile(4));
      code.forLoop(i, chunkEnd, { const: 1 }, () => tile(1));
    });
  });
  // Stryker disable next-line ConditionalExpression: true releases, on a private memory, flag 0, which no one sets there (false is caught: the slot stays claimed)
  if (shared) code.get(slot).if(() => code.get(flag).i32(0).atomic('store', SLOT_FLAGS));
  return kernelDef('gemmBlock', code);
}

/**
 * The exported product: the k range cut into blocks of KC, each one call of gemmBlock that
 * adds into C. Same arguments as gemmBlock. For a long k (the weight gradients sum over all
 * T*B rows) this keeps B's block in cache across the row tiles; every C entry is still summed
 * in a fixed order that depends on k alone. The bias is added by the first block only, as C is
 * by the later ones: ((s1 + bias) + s2) + ..., the order of OpenBLAS's blocked sums.
 */
export function gemmFunction(): FunctionDef {
  const { code, p: args } = kernelCode('gemm');
  const { k, a, ap, b, bp, accumulate, bias } = args;
  const p = code.local(I32), kc = code.local(I32);
  // Stryker disable next-line BlockStatement: without this shortcut the loop below makes the same one call (p = 0: accumulate as given, the bias)
  code.get(k).i32(KC).op('i32.le_s').if(() => {
    callKernel(code, 'gemmBlock', args);
    code.op('return');
  });
  code.i32(0).set(p);
  code.forLoop(p, k, { const: KC }, () => {
    // kc = min(KC, k - p); block p reads A from a + p*ap and B from b + p*bp
    code.get(k).get(p).op('i32.sub').set(kc);
    code.get(kc).i32(KC).op('i32.gt_s').if(() => code.i32(KC).set(kc));
    callKernel(code, 'gemmBlock', {
      ...args,
      k: kc,
      a: () => code.get(a).get(p).get(ap).op('i32.mul').op('i32.add'),
      b: () => code.get(b).get(p).get(bp).op('i32.mul').op('i32.add'),
      // accumulate || p > 0
      accumulate: () => code.get(accumulate).get(p).i32(0).op('i32.gt_s').op('i32.or'),
      // p ? 0 : bias
      bias: () => code.i32(0).get(bias).get(p).op('select'),
    });
  });
  return kernelDef('gemm', code);
}

/**
 * Packs W (n, k), row-major, for reading as B = Wᵀ (k, n): panel q holds columns 8q..8q+7 of
 * B as k rows of 8 floats, out[(q*k + p)*8 + jj] = W[(8q + jj)*k + p], zero past n.
 * Arguments: n, k, w, out (addresses in bytes).
 */
export function packTransposedFunction(): FunctionDef {
  const { code, p: { n, k, w, out } } = kernelCode('packTransposed');
  const j = code.local(I32), p = code.local(I32), dst = code.local(I32), value = code.local('f32');
  code.get(out).set(dst);
  code.i32(0).set(j);
  code.forLoop(j, n, { const: 8 }, () => {
    code.i32(0).set(p);
    code.forLoop(p, k, { const: 1 }, () => {
      // Stryker disable next-line EqualityOperator: a 9th float lands on the next row of the panel, or of the next panel, which is written after it, or past the last in the block's slack
      for (let jj = 0; jj < 8; jj++) {
        // value = (j + jj < n) ? W[(j + jj)*k + p] : 0
        code.f32(0).set(value);
        code.get(j).i32(jj).op('i32.add').get(n).op('i32.lt_s').if(() => {
          code.get(w).get(j).i32(jj).op('i32.add').get(k).op('i32.mul').get(p).op('i32.add').i32(2).op('i32.shl').op('i32.add');
          code.load('f32').set(value);
        });
        code.get(dst).get(value).store('f32', 4 * jj);
      }
      code.get(dst).i32(32).op('i32.add').set(dst);
    });
  });
  return kernelDef('packTransposed', code);
}

/**
 * Bias gradients: out[j] += sum over r of src[r*cols + j], rows added in order (as the scalar
 * kernel does). Row by row, so src streams through once and out stays in L1; four columns a
 * vector, the last cols % 4 one by one. Arguments: rows, cols, src, out (addresses in bytes).
 */
export function columnSumsFunction(): FunctionDef {
  const { code, p: { rows, cols, src, out } } = kernelCode('columnSums');
  const r = code.local(I32), j = code.local(I32), end = code.local(I32), row = code.local(I32), at = code.local(I32);
  // Stryker disable next-line UnaryOperator: & 4 leaves more columns to the one-by-one loop, which adds them to the same bits
  code.get(cols).i32(-4).op('i32.and').set(end);
  code.get(src).set(row);
  code.i32(0).set(r);
  code.forLoop(r, rows, { const: 1 }, () => {
    code.i32(0).set(j);
    code.forLoop(j, end, { const: 4 }, () => {
      code.get(out).get(j).i32(2).op('i32.shl').op('i32.add').tee(at);
      code.get(at).load('v128').get(row).get(j).i32(2).op('i32.shl').op('i32.add').load('v128').op('f32x4.add').store('v128');
    });
    code.forLoop(j, cols, { const: 1 }, () => {
      code.get(out).get(j).i32(2).op('i32.shl').op('i32.add').tee(at);
      code.get(at).load('f32').get(row).get(j).i32(2).op('i32.shl').op('i32.add').load('f32').op('f32.add').store('f32');
    });
    code.get(row).get(cols).i32(2).op('i32.shl').op('i32.add').set(row);
  });
  return kernelDef('columnSums', code);
}

/**
 * dst (cols, rows) = srcᵀ for src (rows, cols), both row-major. The weight gradients read the
 * gate gradients (T*B, G) as their transpose: read in place, a 4·G-byte stride that is a power
 * of two for common sizes sends every row of a block to the same cache set, which halves the
 * product's speed; one transposed copy costs far less. Blocks of 4 × 4 are transposed in
 * registers with shuffles:
 *   (a0 a1 a2 a3), (b0 ..), (c0 ..), (d0 ..)  →  (a0 b0 a1 b1), (a2 b2 a3 b3), (c0 d0 ..), (c2 d2 ..)
 *                                           →  (a0 b0 c0 d0), (a1 b1 c1 d1), (a2 ..), (a3 ..)
 * Rows and columns past the last whole block are copied one by one. Arguments: rows, cols,
 * src, dst (bytes).
 */
export function transposeFunction(): FunctionDef {
  const { code, p: { rows, cols, src, dst } } = kernelCode('transpose');
  const i = code.local(I32), j = code.local(I32), rows4 = code.local(I32), cols4 = code.local(I32), from = code.local(I32), to = code.local(I32);
  const srcRow = code.local(I32), dstRow = code.local(I32);
  const r = [0, 1, 2, 3].map(() => code.local('v128'));
  const t = [0, 1, 2, 3].map(() => code.local('v128'));
  code.get(cols).i32(2).op('i32.shl').set(srcRow);
  code.get(rows).i32(2).op('i32.shl').set(dstRow);
  // Stryker disable next-line UnaryOperator: & 4 leaves more rows to the one-by-one loops, which copy them the same
  code.get(rows).i32(-4).op('i32.and').set(rows4);
  // Stryker disable next-line UnaryOperator: as rows4, for columns
  code.get(cols).i32(-4).op('i32.and').set(cols4);
  /** from = src + (i*cols + j)*4, to = dst + (j*rows + i)*4 */
  const addresses = (): void => {
    code.get(src).get(i).get(srcRow).op('i32.mul').op('i32.add').get(j).i32(2).op('i32.shl').op('i32.add').set(from);
    code.get(dst).get(j).get(dstRow).op('i32.mul').op('i32.add').get(i).i32(2).op('i32.shl').op('i32.add').set(to);
  };
  /** Copies element (i, j) to (j, i). */
  const one = (): void => {
    addresses();
    code.get(to).get(from).load('f32').store('f32');
  };
  /** Transposes the 4 × 4 block at (i, j) in registers. */
  const block = (): void => {
    addresses();
    for (let k = 0; k < 4; k++) {
      code.get(from);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: true (or k >= 0) adds srcRow * 0 for row 0, which changes no address (false is caught)
      if (k > 0) code.get(srcRow).i32(k).op('i32.mul').op('i32.add');
      code.load('v128').set(r[k]);
    }
    code.get(r[0]).get(r[1]).shuffle([0, 4, 1, 5]).set(t[0]);
    code.get(r[0]).get(r[1]).shuffle([2, 6, 3, 7]).set(t[1]);
    code.get(r[2]).get(r[3]).shuffle([0, 4, 1, 5]).set(t[2]);
    code.get(r[2]).get(r[3]).shuffle([2, 6, 3, 7]).set(t[3]);
    const columns: [number, number, [number, number, number, number]][] = [[0, 2, [0, 1, 4, 5]], [0, 2, [2, 3, 6, 7]], [1, 3, [0, 1, 4, 5]], [1, 3, [2, 3, 6, 7]]];
    columns.forEach(([x, y, lanes], k) => {
      code.get(to);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: as for the loads above
      if (k > 0) code.get(dstRow).i32(k).op('i32.mul').op('i32.add');
      code.get(t[x]).get(t[y]).shuffle(lanes).store('v128');
    });
  };
  const i0 = code.local(I32), j0 = code.local(I32), iEnd = code.local(I32), jEnd = code.local(I32);
  // Tiles of TILE_ROWS × TILE_COLS, so the source and destination lines of a tile stay cached.
  code.i32(0).set(i0);
  code.forLoop(i0, rows4, { const: TILE_ROWS }, () => {
    code.get(i0).i32(TILE_ROWS).op('i32.add').tee(iEnd).get(rows4).op('i32.gt_s').if(() => code.get(rows4).set(iEnd));
    code.i32(0).set(j0);
    code.forLoop(j0, cols4, { const: TILE_COLS }, () => {
      code.get(j0).i32(TILE_COLS).op('i32.add').tee(jEnd).get(cols4).op('i32.gt_s').if(() => code.get(cols4).set(jEnd));
      code.get(i0).set(i);
      code.forLoop(i, iEnd, { const: 4 }, () => {
        code.get(j0).set(j);
        code.forLoop(j, jEnd, { const: 4 }, block);
      });
    });
  });
  code.i32(0).set(i);
  code.forLoop(i, rows4, { const: 4 }, () => {
    code.get(cols4).set(j);
    // the last cols % 4 columns of these four rows
    code.forLoop(j, cols, { const: 1 }, () => {
      code.get(i).set(i0);
      for (let k = 0; k < 4; k++) {
        one();
        code.get(i).i32(1).op('i32.add').set(i);
      }
      code.get(i0).set(i);
    });
  });
  // the last rows % 4 rows
  code.forLoop(i, rows, { const: 1 }, () => {
    code.i32(0).set(j);
    code.forLoop(j, cols, { const: 1 }, one);
  });
  return kernelDef('transpose', code);
}

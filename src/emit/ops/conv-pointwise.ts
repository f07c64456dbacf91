// The 1×1 conv strategy (stride 1, no padding, no dilation, one group): per
// sample the layer is a matrix product, Y[F×P] = W[F×C] · X[C×P] over the
// P = H·W pixels, so every pass is a register-blocked GEMM reading the
// PyTorch-layout weight and the NCHW planes in place (bench/KERNELS.md,
// "1×1 convolutions"):
// - forward: 4 filters × 4 pixels of accumulators reducing over channels
//   (8 loads feed 16 multiply-adds, where the direct kernel's 1 filter × 4
//   columns needs 5 loads for 4);
// - dInput: the same with Wᵀ, 4 channels × 4 pixels reducing over filters;
// - dWeight: 4 filters × 4 channels reducing over the pixels of the batch, in
//   chunks of pixels whose input rows stay in cache while every block reads them.
// Blocks of fewer filters, channels or pixels take the remainders.
import { type LayerContext, plus } from "../context.ts";

type Conv = LayerContext<"conv">;

/** Pixels per dWeight chunk: 4 rows of the operand and 4 gradient rows of 256 floats each stay in L1. */
const CHUNK = 256;

export interface PointwiseConv {
  c: number;
  f: number;
  /** pixels per plane */
  p: number;
}

/** The pointwise plan when the layer is a 1×1 conv of stride 1, no padding, no dilation and one group. */
export function pointwiseConvOf(l: Conv): PointwiseConv | undefined {
  const a = l.args;
  const ones = (t: readonly number[]) => t.every((v) => v === 1);
  const ok = l.strategy === "auto" && ones(a.kernel) && ones(a.stride) && ones(a.dilation) && a.pad.every((v) => v === 0) && a.groups === 1;
  return ok ? { c: l.input.c, f: a.filters, p: l.input.h * l.input.w } : undefined;
}

/** `for` over full blocks of 4 along `v` up to `total`, then one literal tail block (every conv kernel's column and row loops). */
export function blocks(v: string, total: number, block: (size: number) => string): string {
  const full = total - (total % 4);
  const parts: string[] = [];
  if (full > 0) parts.push(`for (let ${v} = 0; ${v} < ${full}; ${v} += 4) {\n${block(4)}\n}`);
  if (total % 4 !== 0) parts.push(`{\nconst ${v} = ${full};\n${block(total % 4)}\n}`);
  return parts.join("\n");
}

const names = (rows: number, cols: number) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => `a${i}${j}`));

/**
 * One rows × cols block of a product reducing over `depth`: accumulators
 * a<i><j> start at `init(i)`; per step, `cols` values of `src` (unit stride
 * from `so`) and one weight per row (`W[wo + i·wRow]`) feed rows × cols
 * multiply-adds; `so` advances by `sStep` and `wo` by `wStep`.
 */
function productBlock(o: {
  rows: number;
  cols: number;
  depth: number;
  src: string;
  so: string;
  sStep: number;
  wo: string;
  wRow: number;
  wStep: number;
  init: (i: number) => string;
  dst: string;
  /** index of the block's first output and the step between its rows */
  at: string;
  row: number;
}): string {
  const acc = names(o.rows, o.cols);
  const loads = Array.from({ length: o.cols }, (_, j) => `x${j} = ${o.src}[${plus("so", j)}]`);
  const rows = acc.map((r, i) => `{ const w = W[${plus("wo", i * o.wRow)}]; ${r.map((a, j) => `${a} += w * x${j};`).join(" ")} }`);
  const stores = acc.flatMap((r, i) => r.map((a, j) => `${o.dst}[${plus("at", i * o.row + j)}] = ${a};`));
  return `let ${acc.flatMap((r, i) => r.map((a) => `${a} = ${o.init(i)}`)).join(", ")};
  let so = ${o.so}, wo = ${o.wo};
  for (let k = 0; k < ${o.depth}; k++, so += ${o.sStep}, wo += ${o.wStep}) {
    const ${loads.join(", ")};
    ${rows.join("\n")}
  }
  const at = ${o.at};
  ${stores.join(" ")}`;
}

/** The shape of a sample's products with the weight: W[F × K] and a K × P operand. */
export interface Product {
  f: number;
  k: number;
  p: number;
}

/** Where a sample's K × P operand is: the array's name and the sample's first index ("" for 0). */
export interface Operand {
  name: string;
  at: string;
}

const from = (o: Operand, rest: string) => (o.at === "" ? rest : `${o.at} + ${rest}`);

/** out[yn …] = W · X (+ b): 4 filters × 4 pixels of accumulators reducing over K. */
export function weightTimes(l: Conv, d: Product, x: Operand): string {
  return blocks("q", d.p, (cols) =>
    blocks("f", d.f, (rows) =>
      productBlock({
        rows,
        cols,
        depth: d.k,
        src: x.name,
        so: from(x, "q"),
        sStep: d.p,
        wo: `f * ${d.k}`,
        wRow: d.k,
        wStep: 1,
        init: (i) => (l.args.bias ? `b[${plus("f", i)}]` : "0"),
        dst: "out",
        at: `yn + f * ${d.p} + q`,
        row: d.p,
      }),
    ),
  );
}

/** dx = Wᵀ · dOut[yn …]: 4 rows of dx × 4 pixels reducing over the filters. */
export function weightTransposedTimes(d: Product, dx: Operand): string {
  return blocks("q", d.p, (cols) =>
    blocks("c", d.k, (rows) =>
      productBlock({
        rows,
        cols,
        depth: d.f,
        src: "dOut",
        so: "yn + q",
        sStep: d.p,
        wo: "c",
        wRow: 1,
        wStep: d.k,
        init: () => "0",
        dst: dx.name,
        at: from(dx, `c * ${d.p} + q`),
        row: d.p,
      }),
    ),
  );
}

/** gw[f .. f + rows) × [c .. c + cols) += dOut · Xᵀ over the `len` pixels from p0 of the sample. */
function dWeightBlock(d: Product, x: Operand, rows: number, cols: number, len: number): string {
  const acc = names(rows, cols);
  const loads = [
    ...Array.from({ length: rows }, (_, i) => `d${i} = dOut[${plus("dyo", i * d.p)}]`),
    ...Array.from({ length: cols }, (_, j) => `x${j} = ${x.name}[${plus("xo", j * d.p)}]`),
  ];
  const stores = acc.flatMap((r, i) => r.map((a, j) => `gw[${plus("g", i * d.k + j)}] += ${a};`));
  return `let ${acc.flat().map((a) => `${a} = 0`).join(", ")};
  let dyo = yn + f * ${d.p} + p0, xo = ${from(x, `c * ${d.p} + p0`)};
  for (let k = 0; k < ${len}; k++, dyo++, xo++) {
    const ${loads.join(", ")};
    ${acc.map((r, i) => r.map((a, j) => `${a} += d${i} * x${j};`).join(" ")).join("\n")}
  }
  const g = f * ${d.k} + c;
  ${stores.join(" ")}`;
}

/** gw += dOut[yn …] · Xᵀ: 4 filters × 4 rows of X reducing over chunks of CHUNK pixels. */
export function weightGradient(d: Product, x: Operand): string {
  const chunk = (len: number) => blocks("f", d.f, (rows) => blocks("c", d.k, (cols) => dWeightBlock(d, x, rows, cols, len)));
  const full = d.p - (d.p % CHUNK);
  const parts: string[] = [];
  if (full > 0) parts.push(`for (let p0 = 0; p0 < ${full}; p0 += ${CHUNK}) {\n${chunk(CHUNK)}\n}`);
  if (d.p % CHUNK !== 0) parts.push(`{\nconst p0 = ${full};\n${chunk(d.p % CHUNK)}\n}`);
  return parts.join("\n");
}

const product = (d: PointwiseConv): Product => ({ f: d.f, k: d.c, p: d.p });
const planes: Operand = { name: "inp", at: "xn" };

export function pointwiseConvForward(l: Conv, d: PointwiseConv): string {
  return `const W = ${l.param("weight")};
  ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
  for (let n = 0; n < N; n++) {
    const xn = n * ${d.c * d.p}, yn = n * ${d.f * d.p};
    ${weightTimes(l, product(d), planes)}
  }`;
}

function dInput(l: Conv, d: PointwiseConv): string {
  return `const W = ${l.param("weight")};
  for (let n = 0; n < N; n++) {
    const xn = n * ${d.c * d.p}, yn = n * ${d.f * d.p};
    ${weightTransposedTimes(product(d), { name: "dIn", at: "xn" })}
  }`;
}

function dWeight(l: Conv, d: PointwiseConv): string {
  return `const gw = ${l.grad("weight")};
  gw.fill(0);
  for (let n = 0; n < N; n++) {
    const xn = n * ${d.c * d.p}, yn = n * ${d.f * d.p};
    ${weightGradient(product(d), planes)}
  }`;
}

export function pointwiseConvBackward(l: Conv, d: PointwiseConv): { part: string; code: string }[] {
  return [
    { part: "weight", code: dWeight(l, d) },
    { part: "input", code: dInput(l, d) },
  ];
}

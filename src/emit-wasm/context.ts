// What a wasm op emitter receives and provides. Each layer pass is one wasm
// function whose parameters are the batch N, the training flag and the byte
// addresses of every tensor the layer touches (the generated TypeScript
// passes the workspace's offsets); the emitter appends the body to `f`.
// Buffers, parameter init, activation patterns and training guards are the
// TypeScript target's (src/emit/ops), so both targets lay out the same workspace.
import type { ArgsOf, Layer, OpName } from "../ir.ts";
import type { Dims } from "../emit/context.ts";
import type { Fn, Local } from "./fn.ts";
import type { Kernels } from "./gemm.ts";

export type Ptr = Local<"i32">;

/** One value a layer reads: a merge (add, concat) reads several, every other layer one. */
export interface WasmOperand {
  dims: Dims;
  inp: Ptr;
  dIn: Ptr;
  /** backward adds into dIn: another reader of the same value wrote its share first (merges only; see src/emit/context.ts) */
  accumulate: boolean;
}

export interface WasmLayerContext<O extends OpName = OpName> {
  layer: Layer & { args: ArgsOf<O> };
  args: ArgsOf<O>;
  input: Dims;
  output: Dims;
  f: Fn;
  /** the batch size */
  N: Local<"i32">;
  /** 1 in training mode (forward only) */
  train: Local<"i32">;
  /** the first operand's activation and gradient */
  inp: Ptr;
  out: Ptr;
  dIn: Ptr;
  dOut: Ptr;
  /** every value the layer reads, in the order of its `from` */
  operands: WasmOperand[];
  /** this layer's scratch (per-sample im2col columns), `scratch(l)` floats */
  scratch: Ptr;
  param(suffix: string): Ptr;
  grad(suffix: string): Ptr;
  state(suffix: string): Ptr;
  buffer(suffix: string): Ptr;
  kernels: Kernels;
  /** imported Math functions, f64 → f64 */
  math: { exp: number; log: number; tanh: number; expm1: number; log1p: number };
}

export interface WasmOpEmitter<O extends OpName> {
  /** floats of scratch the layer needs (shared by all layers, sized to the largest) */
  scratch?(l: { layer: Layer & { args: ArgsOf<O> }; args: ArgsOf<O>; input: Dims; output: Dims }): number;
  forward(l: WasmLayerContext<O>): void;
  /** overwrites dIn and every parameter gradient (never accumulates across calls) */
  backward(l: WasmLayerContext<O>): void;
}

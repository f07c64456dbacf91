// What the per-family reference files (mobile.ts, prelu-gelu-instancenorm.ts) share: tensors by name,
// a layer's [C, H, W] planes, and the shape of their backward, which reference.ts dispatches to.
import type { ArgsOf, Layer, OpName } from "../../src/ir.ts";

export type Tensors = Record<string, Float64Array>;

/** A layer of one family, its arguments narrowed to the family's ops. */
export type LayerOf<Op extends OpName> = Layer & { args: ArgsOf<Op> };

/** dx from the layer's input x and upstream gradient dy (N samples); adds the parameter gradients into `grads`. */
export type BackwardOf<Op extends OpName> = (layer: LayerOf<Op>, x: Float64Array, dy: Float64Array, N: number, params: Tensors, grads: Tensors) => Float64Array;

export function param(t: Tensors, name: string): Float64Array {
  const v = t[name];
  if (v === undefined) throw new Error(`reference: missing tensor ${name}`);
  return v;
}

/** A [C, H, W] shape, [C] read as [C, 1, 1], and its plane size H·W. */
export function planes(shape: readonly number[]): { C: number; H: number; W: number; HW: number } {
  const [C, H, W] = shape.length === 3 ? shape : [shape[0], 1, 1];
  return { C, H, W, HW: H * W };
}

// The back ends the oracle tests run, as one parameter: the TypeScript target
// (f64 against the naive reference, f32 against TF.js) and the WebAssembly
// target (f32 only). Each says how to emit a model, which float type its
// tensors are, and the tolerance it is held to against the f64 reference.
import { emitModule } from "../../src/emit/module.ts";
import { emitWasmModule } from "../../src/emit-wasm/module.ts";
import type { Model } from "../../src/ir.ts";

export interface OracleTarget {
  name: string;
  emit(model: Model): string;
  /** a tensor in the module's float type */
  float(v: ArrayLike<number>): Float32Array | Float64Array;
  /** the largest relative error (relError) against the naive f64 reference */
  refTol: number;
}

const sourceName = (m: Model) => `${m.name}.cnn`;

export const TS_F64: OracleTarget = {
  name: "ts f64",
  emit: (m) => emitModule(m, { dtype: "f64", sourceName: sourceName(m) }),
  float: (v) => Float64Array.from(v),
  refTol: 1e-10,
};

export const TS_F32: OracleTarget = {
  name: "ts f32",
  emit: (m) => emitModule(m, { dtype: "f32", sourceName: sourceName(m) }),
  float: (v) => Float32Array.from(v),
  refTol: 1e-4,
};

/**
 * f32 arithmetic: f32x4 sums in the matrix kernels, f64 scalars elsewhere
 * (src/emit-wasm). 5e-4: a layernorm over a handful of values, most of them
 * zeroed by dropout, amplifies f32 rounding to ~1.2e-4 (the TypeScript f32
 * target computes the same numbers).
 */
export const WASM: OracleTarget = {
  name: "wasm",
  emit: (m) => emitWasmModule(m, { sourceName: sourceName(m) }),
  float: (v) => Float32Array.from(v),
  refTol: 5e-4,
};

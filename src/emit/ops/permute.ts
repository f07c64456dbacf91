// permute: output (i0, i1, i2) of each sample is the input element whose axis dims[k] − 1 is at i_k
// (PyTorch's x.permute(dims), batch axis first); the backward pass routes each gradient back along
// the same map, so every element of dIn is written once.
import type { LayerContext, OpEmitter } from "../context.ts";

/** The loops over one sample's output in order (`o`), with `s` + i2·stride the input element it reads. */
function walk(l: LayerContext<"permute">, statement: (inputAt: string) => string): string {
  const inputStrides = [l.input.h * l.input.w, l.input.w, 1];
  const [s0, s1, s2] = [1, 2, 3].map((k) => inputStrides[l.args.dims[k]! - 1]!);
  const { c: o0, h: o1, w: o2 } = l.output;
  return `for (let n = 0; n < N; n++) {
      const base = n * ${l.input.size};
      let o = base;
      for (let i0 = 0; i0 < ${o0}; i0++) {
        for (let i1 = 0; i1 < ${o1}; i1++) {
          const s = base + i0 * ${s0} + i1 * ${s1};
          for (let i2 = 0; i2 < ${o2}; i2++, o++) ${statement(s2 === 1 ? "s + i2" : `s + i2 * ${s2}`)}
        }
      }
    }`;
}

export const permute: OpEmitter<"permute"> = {
  forward: (l) => walk(l, (at) => `out[o] = inp[${at}];`),
  backward: (l) => walk(l, (at) => `dIn[${at}] = dOut[o];`),
};

// pixelshuffle / pixelunshuffle: a permutation of each sample's values. In pixelshuffle's terms,
// input (c·r² + i·r + j, h, w) ↔ output (c, h·r + i, w·r + j); pixelunshuffle is the same map with
// the roles of input and output swapped. The backward pass routes gradients along the same map.
import type { Dims, OpEmitter } from "../context.ts";

/** Loops over the small (channel-deep) side `deep`; `big` is the r-times-larger spatial side. */
function permute(deep: Dims, big: Dims, r: number, statement: string): string {
  return `for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${big.c}; c++) {
        for (let i = 0; i < ${r}; i++) {
          for (let j = 0; j < ${r}; j++) {
            for (let h = 0; h < ${deep.h}; h++) {
              const d = n * ${deep.size} + ((c * ${r * r} + i * ${r} + j) * ${deep.h} + h) * ${deep.w};
              const b = n * ${big.size} + (c * ${big.h} + h * ${r} + i) * ${big.w} + j;
              for (let w = 0; w < ${deep.w}; w++) ${statement}
            }
          }
        }
      }
    }`;
}

export const pixelshuffle: OpEmitter<"pixelshuffle"> = {
  forward: (l) => permute(l.input, l.output, l.args.factor, `out[b + w * ${l.args.factor}] = inp[d + w];`),
  backward: (l) => permute(l.input, l.output, l.args.factor, `dIn[d + w] = dOut[b + w * ${l.args.factor}];`),
};

export const pixelunshuffle: OpEmitter<"pixelunshuffle"> = {
  forward: (l) => permute(l.output, l.input, l.args.factor, `out[d + w] = inp[b + w * ${l.args.factor}];`),
  backward: (l) => permute(l.output, l.input, l.args.factor, `dIn[b + w * ${l.args.factor}] = dOut[d + w];`),
};

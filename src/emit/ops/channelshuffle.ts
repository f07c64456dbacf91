// channelshuffle: output channel j·G + i is input channel i·(C/G) + j (PyTorch's view-transpose-flatten);
// the backward pass routes each gradient plane back along the same map.
import type { OpEmitter } from "../context.ts";

function shuffle(l: { input: { c: number; h: number; w: number; size: number }; args: { groups: number } }, statement: string): string {
  const hw = l.input.h * l.input.w;
  const g = l.args.groups;
  const cg = l.input.c / g;
  return `for (let n = 0; n < N; n++) {
      for (let co = 0; co < ${l.input.c}; co++) {
        const ci = (co % ${g}) * ${cg} + Math.floor(co / ${g});
        const o = n * ${l.input.size} + co * ${hw}, s = n * ${l.input.size} + ci * ${hw};
        for (let j = 0; j < ${hw}; j++) ${statement}
      }
    }`;
}

export const channelshuffle: OpEmitter<"channelshuffle"> = {
  forward: (l) => shuffle(l, "out[o + j] = inp[s + j];"),
  backward: (l) => shuffle(l, "dIn[s + j] = dOut[o + j];"),
};

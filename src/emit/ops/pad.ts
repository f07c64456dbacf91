// pad: zero padding (top, bottom, left, right), whose gradient is the interior of dOut;
// reflect, replicate and circular padding gather and scatter (./pad-mode.ts).
import type { OpEmitter } from "../context.ts";
import { padGather, padScatter } from "./pad-mode.ts";

export const pad: OpEmitter<"pad"> = {
  forward(l) {
    if (l.args.mode !== undefined) return padGather(l.args.mode, l.args.pad, l.input, l.output, "inp", "out");
    const [pt, , pl] = l.args.pad;
    return `out.fill(0);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const xc = n * ${l.input.size} + c * ${l.input.h * l.input.w};
        const yc = n * ${l.output.size} + c * ${l.output.h * l.output.w} + ${pt * l.output.w + pl};
        for (let h = 0; h < ${l.input.h}; h++) {
          const xr = xc + h * ${l.input.w}, yr = yc + h * ${l.output.w};
          for (let w = 0; w < ${l.input.w}; w++) out[yr + w] = inp[xr + w];
        }
      }
    }`;
  },
  backward(l) {
    if (l.args.mode !== undefined) return padScatter(l.args.mode, l.args.pad, l.input, l.output, "dOut", "dIn");
    const [pt, , pl] = l.args.pad;
    return `for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const xc = n * ${l.input.size} + c * ${l.input.h * l.input.w};
        const yc = n * ${l.output.size} + c * ${l.output.h * l.output.w} + ${pt * l.output.w + pl};
        for (let h = 0; h < ${l.input.h}; h++) {
          const xr = xc + h * ${l.input.w}, yr = yc + h * ${l.output.w};
          for (let w = 0; w < ${l.input.w}; w++) dIn[xr + w] = dOut[yr + w];
        }
      }
    }`;
  },
};

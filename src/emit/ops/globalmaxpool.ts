// globalmaxpool: the maximum of each channel's H·W plane; [C, H, W] → [C]. Ties go
// to the first maximum in row-major order (strict `>`), as in maxpool; the
// winner's index within the sample is kept for the backward pass and for
// activationPattern (gradient-check tie detection).
import type { OpEmitter } from "../context.ts";

export const globalmaxpool: OpEmitter<"globalmaxpool"> = {
  buffers(l) {
    return [{ name: l.bufferName("argmax"), kind: "int32", length: `batch * ${l.output.size}`, doc: "index of each channel's winner within its input sample" }];
  },
  forward(l) {
    const hw = l.input.h * l.input.w;
    return `const arg = ${l.buffer("argmax")};
    for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size};
      for (let c = 0; c < ${l.input.c}; c++) {
        const xc = xn + c * ${hw};
        let m = inp[xc], a = xc;
        for (let j = xc + 1; j < xc + ${hw}; j++) if (inp[j] > m) { m = inp[j]; a = j; }
        const o = n * ${l.output.size} + c;
        out[o] = m;
        arg[o] = a - xn;
      }
    }`;
  },
  backward(l) {
    return `const arg = ${l.buffer("argmax")};
    dIn.fill(0);
    for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size}, yn = n * ${l.output.size};
      for (let c = 0; c < ${l.output.size}; c++) dIn[xn + arg[yn + c]] = dOut[yn + c];
    }`;
  },
  pattern(l) {
    return {
      perSample: l.output.size,
      fill: `const arg = ws.${l.bufferName("argmax")};
      for (let j = 0; j < arg.length; j++) pat[k + j] = arg[j];`,
    };
  },
};

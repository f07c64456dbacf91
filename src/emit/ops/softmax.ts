// softmax (the layer): over the features of [D], or over the channels at each pixel
// of [C, H, W]. The maximum is subtracted before exp (no overflow); the backward
// reads the output: dx = y·(dy − Σ_c dy·y).
import type { OpEmitter } from "../context.ts";

/** Loops over every sample and pixel; `b` is the pixel's first channel, channels are `b + c·hw`. */
function eachPixel(l: { input: { c: number; h: number; w: number; size: number } }, body: string): string {
  const hw = l.input.h * l.input.w;
  return `for (let n = 0; n < N; n++) {
    for (let j = 0; j < ${hw}; j++) {
      const b = n * ${l.input.size} + j;
      ${body}
    }
  }`;
}

export const softmax: OpEmitter<"softmax"> = {
  forward(l) {
    const hw = l.input.h * l.input.w;
    const e = `${l.input.c * hw}`;
    return eachPixel(
      l,
      `let m = inp[b];
      for (let i = b + ${hw}; i < b + ${e}; i += ${hw}) if (inp[i] > m) m = inp[i];
      let sum = 0;
      for (let i = b; i < b + ${e}; i += ${hw}) {
        const v = Math.exp(inp[i] - m);
        out[i] = v;
        sum += v;
      }
      const inv = 1 / sum;
      for (let i = b; i < b + ${e}; i += ${hw}) out[i] *= inv;`,
    );
  },
  backward(l) {
    const hw = l.input.h * l.input.w;
    const e = `${l.input.c * hw}`;
    return eachPixel(
      l,
      `let dot = 0;
      for (let i = b; i < b + ${e}; i += ${hw}) dot += dOut[i] * out[i];
      for (let i = b; i < b + ${e}; i += ${hw}) dIn[i] = out[i] * (dOut[i] - dot);`,
    );
  },
};

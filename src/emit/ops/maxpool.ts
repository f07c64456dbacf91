// maxpool: PyTorch MaxPool2d. Padding never wins (only real cells compete);
// ties go to the first maximum in row-major order (strict `>`), and the
// winner's index within the sample is kept for the backward pass and for
// activationPattern (gradient-check tie detection).
import { type OpEmitter, plus } from "../context.ts";
import { borderTaps, insideTapLoops, tapsOf } from "../window.ts";
import { eachPoolWindow, windowGeometry } from "./window-geometry.ts";

export const maxpool: OpEmitter<"maxpool"> = {
  buffers(l) {
    return [
      {
        name: l.bufferName("argmax"),
        kind: "int32",
        length: `batch * ${l.output.size}`,
        doc: "index of each window's winner within its input sample",
      },
    ];
  },

  forward(l) {
    const g = windowGeometry(l);
    const taps = tapsOf(g);
    // straight-line taps within the unroll budget, else loops (still without bounds tests)
    const compare =
      taps.length <= l.unrollBudget
        ? taps.slice(1).map((t) => `v = inp[${plus("i", t.offset)}]; if (v > m) { m = v; a = ${plus("i", t.offset)}; }`)
        : [insideTapLoops(g, "v = inp[i + t]; if (v > m) { m = v; a = i + t; }")];
    const inside = ["const i = xc + i0;", "let m = inp[i], a = i, v = 0;", ...compare, "out[o] = m; arg[o] = a - xn;"].join("\n");
    const border = `let m = -Infinity, a = -1;
    ${borderTaps(g, `const j = xc + r * ${g.w} + q, v = inp[j]; if (a < 0 || v > m) { m = v; a = j; }`)}
    out[o] = m; arg[o] = a - xn;`;
    return `const arg = ${l.buffer("argmax")};
    ${eachPoolWindow(l, g, inside, border)}`;
  },

  backward(l) {
    return `const arg = ${l.buffer("argmax")};
    dIn.fill(0);
    for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size}, yn = n * ${l.output.size};
      for (let j = 0; j < ${l.output.size}; j++) dIn[xn + arg[yn + j]] += dOut[yn + j];
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

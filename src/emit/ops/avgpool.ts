// avgpool: PyTorch AvgPool2d. Interior windows divide by KH·KW. A border
// window's divisor, with count_pad, counts its cells inside the padded input
// (clipped at in + pad_after, as PyTorch clips ceil-mode windows); without
// count_pad, only its cells inside the real input.
import { type OpEmitter, plus } from "../context.ts";
import { type Geometry, insideTapLoops, tapsOf } from "../window.ts";
import { eachPoolWindow, windowGeometry } from "./window-geometry.ts";

/** Border window bounds: real rows [r0, r1), real columns [q0, q1), and its divisor `div`. */
function borderWindow(g: Geometry, countPad: boolean): string {
  const divisor = countPad
    ? `(Math.min(ih + ${g.kh}, ${g.h + g.pb}) - ih) * (Math.min(iw + ${g.kw}, ${g.w + g.pr}) - iw)`
    : "(r1 - r0) * (q1 - q0)";
  return `const r0 = Math.max(ih, 0), r1 = Math.min(ih + ${g.kh}, ${g.h});
  const q0 = Math.max(iw, 0), q1 = Math.min(iw + ${g.kw}, ${g.w});
  const div = ${divisor};`;
}

export const avgpool: OpEmitter<"avgpool"> = {
  forward(l) {
    const g = windowGeometry(l);
    const kk = g.kh * g.kw;
    // straight-line taps within the unroll budget, else loops (still without bounds tests)
    const inside =
      kk <= l.unrollBudget
        ? `const i = xc + i0;\nout[o] = (${tapsOf(g).map((t) => `inp[${plus("i", t.offset)}]`).join(" + ")}) / ${kk};`
        : `const i = xc + i0;\nlet acc = 0;\n${insideTapLoops(g, "acc += inp[i + t];")}\nout[o] = acc / ${kk};`;
    const border = `${borderWindow(g, l.args.count_pad)}
    let acc = 0;
    for (let r = r0; r < r1; r++) {
      for (let q = q0; q < q1; q++) acc += inp[xc + r * ${g.w} + q];
    }
    out[o] = acc / div;`;
    return `${eachPoolWindow(l, g, inside, border)}`;
  },

  backward(l) {
    const g = windowGeometry(l);
    const kk = g.kh * g.kw;
    const inside =
      `const i = xc + i0, d = dOut[o] / ${kk};\n` +
      (kk <= l.unrollBudget
        ? tapsOf(g).map((t) => `dIn[${plus("i", t.offset)}] += d;`).join("\n")
        : insideTapLoops(g, "dIn[i + t] += d;"));
    const border = `${borderWindow(g, l.args.count_pad)}
    const d = dOut[o] / div;
    for (let r = r0; r < r1; r++) {
      for (let q = q0; q < q1; q++) dIn[xc + r * ${g.w} + q] += d;
    }`;
    return `dIn.fill(0);
    ${eachPoolWindow(l, g, inside, border)}`;
  },
};

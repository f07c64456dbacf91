// mul: the elementwise product of two or more values (a gate, as squeeze-and-excitation's
// `x * scale`). An operand the output's size is read at the element; a [C, 1, 1] gate at its sample
// and channel, once per H×W block (PyTorch's broadcast). Backward: each operand's gradient is dOut
// times the other operands, summed over H×W for a gate; added where another reader of the same value
// wrote first (operand.accumulate). Not in place: the backward reads every operand.
import type { LayerContext, OpEmitter, Operand } from "../context.ts";

const isGate = (l: LayerContext<"mul">, o: Operand) => o.dims.size !== l.output.size;

/** The value of operand o inside the loops: its element, or the gate value g<k> read per block. */
const valueOf = (l: LayerContext<"mul">, o: Operand, k: number) => (isGate(l, o) ? `g${k}` : `${o.inp}[i]`);

/** Loops over samples, channels and positions, with `perBlock` code before and after the H×W loop. */
function blocks(l: LayerContext<"mul">, before: string, inner: string, after: string): string {
  const hw = l.output.h * l.output.w;
  return `for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.output.c}; c++) {
        const o = n * ${l.output.size} + c * ${hw}, at = n * ${l.output.c} + c;
        ${before}
        for (let i = o; i < o + ${hw}; i++) {
          ${inner}
        }
        ${after}
      }
    }`;
}

export const mul: OpEmitter<"mul"> = {
  multiInput: true,
  forward(l) {
    const product = l.operands.map((o, k) => valueOf(l, o, k)).join(" * ");
    if (!l.operands.some((o) => isGate(l, o))) return `for (let i = 0, e = N * ${l.output.size}; i < e; i++) out[i] = ${product};`;
    const gates = l.operands.flatMap((o, k) => (isGate(l, o) ? [`const g${k} = ${o.inp}[at];`] : [])).join(" ");
    return blocks(l, gates, `out[i] = ${product};`, "");
  },
  backward(l) {
    const others = (k: number) => ["dOut[i]", ...l.operands.flatMap((o, j) => (j === k ? [] : [valueOf(l, o, j)]))].join(" * ");
    const full = l.operands.flatMap((o, k) => (isGate(l, o) ? [] : [`${o.dIn}[i] ${o.accumulate ? "+=" : "="} ${others(k)};`]));
    if (!l.operands.some((o) => isGate(l, o)))
      return `for (let i = 0, e = N * ${l.output.size}; i < e; i++) {
      ${full.join("\n")}
    }`;
    const gates = l.operands.flatMap((o, k) => (isGate(l, o) ? [`const g${k} = ${o.inp}[at];`, `let s${k} = 0;`] : [])).join(" ");
    const sums = l.operands.flatMap((o, k) => (isGate(l, o) ? [`s${k} += ${others(k)};`] : []));
    const stores = l.operands.flatMap((o, k) => (isGate(l, o) ? [`${o.dIn}[at] ${o.accumulate ? "+=" : "="} s${k};`] : [])).join(" ");
    return blocks(l, gates, [...full, ...sums].join("\n"), stores);
  },
};

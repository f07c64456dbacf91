// adaptiveavgpool: nn.AdaptiveAvgPool2d. Output row i averages input rows
// [floor(i·H/OH), ceil((i+1)·H/OH)), likewise for columns. When the input size is
// a multiple of the output size on both axes those windows are avgpool's (kernel
// = stride = H/OH), so that emitter's specialised code is used; otherwise the
// window bounds are computed per output pixel in integer arithmetic.
import type { ArgsOf } from "../../ir.ts";
import type { LayerContext, OpEmitter } from "../context.ts";
import { avgpool } from "./avgpool.ts";

type Adaptive = LayerContext<"adaptiveavgpool">;

/** The same layer seen as an avgpool, when its windows tile the input. */
function asAvgpool(l: Adaptive): LayerContext<"avgpool"> | undefined {
  const { h, w } = l.input;
  const [oh, ow] = l.args.size;
  if (h % oh !== 0 || w % ow !== 0) return undefined;
  const k: [number, number] = [h / oh, w / ow];
  const args: ArgsOf<"avgpool"> = { op: "avgpool", kernel: k, stride: k, pad: [0, 0, 0, 0], count_pad: true, rounding: "floor" };
  return { ...l, args, layer: { ...l.layer, args } };
}

/** Every output pixel's window [r0, r1) × [q0, q1) with its divisor `div`; `o` is the output index. */
function windows(l: Adaptive, body: string): string {
  const { c, h, w, size } = l.input;
  const [oh, ow] = l.args.size;
  return `for (let n = 0; n < N; n++) {
    for (let c = 0; c < ${c}; c++) {
      const xc = n * ${size} + c * ${h * w}, yc = n * ${l.output.size} + c * ${oh * ow};
      for (let oh = 0; oh < ${oh}; oh++) {
        const r0 = ((oh * ${h}) / ${oh}) | 0, r1 = ((oh * ${h} + ${h + oh - 1}) / ${oh}) | 0;
        for (let ow = 0; ow < ${ow}; ow++) {
          const q0 = ((ow * ${w}) / ${ow}) | 0, q1 = ((ow * ${w} + ${w + ow - 1}) / ${ow}) | 0;
          const div = (r1 - r0) * (q1 - q0), o = yc + oh * ${ow} + ow;
          ${body}
        }
      }
    }
  }`;
}

export const adaptiveavgpool: OpEmitter<"adaptiveavgpool"> = {
  strategy: (l) => (asAvgpool(l) !== undefined ? "avgpool: the windows tile the input" : "adaptive windows"),
  forward(l) {
    const pool = asAvgpool(l);
    if (pool !== undefined) return avgpool.forward(pool);
    return windows(
      l,
      `let acc = 0;
      for (let r = r0; r < r1; r++) for (let q = q0; q < q1; q++) acc += inp[xc + r * ${l.input.w} + q];
      out[o] = acc / div;`,
    );
  },
  backward(l) {
    const pool = asAvgpool(l);
    if (pool !== undefined) return avgpool.backward(pool);
    return `dIn.fill(0);
    ${windows(
      l,
      `const d = dOut[o] / div;
      for (let r = r0; r < r1; r++) for (let q = q0; q < q1; q++) dIn[xc + r * ${l.input.w} + q] += d;`,
    )}`;
  },
};

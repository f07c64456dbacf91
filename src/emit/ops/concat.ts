// concat: values stacked along channels (PyTorch torch.cat(dim=1)); in NCHW
// each sample's output is the operands' sample blocks one after another, so
// forward and backward are block copies at fixed offsets (plain loops:
// subarray views would allocate on every call).
import { type OpEmitter, plus } from "../context.ts";

/** One copy loop per operand and sample: `line(o, j)` moves element j of operand o's block, at `x` in the operand and `y` in the output. */
function copies(l: Parameters<OpEmitter<"concat">["forward"]>[0], line: (o: (typeof l.operands)[number]) => string): string {
  let offset = 0;
  const loops = l.operands.map((o) => {
    const code = `for (let j = 0, x = n * ${o.dims.size}, y = ${plus(`n * ${l.output.size}`, offset)}; j < ${o.dims.size}; j++) ${line(o)}`;
    offset += o.dims.size;
    return code;
  });
  return `for (let n = 0; n < N; n++) {
      ${loops.join("\n")}
    }`;
}

export const concat: OpEmitter<"concat"> = {
  multiInput: true,
  forward: (l) => copies(l, (o) => `out[y + j] = ${o.inp}[x + j];`),
  backward: (l) => copies(l, (o) => `${o.dIn}[x + j] ${o.accumulate ? "+=" : "="} dOut[y + j];`),
};

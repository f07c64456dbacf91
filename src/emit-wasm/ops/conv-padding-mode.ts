// conv with padding_mode reflect, replicate or circular (nn.Conv2d's padding_mode), as the TypeScript
// target does it (src/emit/ops/conv-padding-mode.ts, whose workspace buffers this uses): the input is
// padded into a copy (./pad-mode.ts) that the zero-padding conv reads with pad 0; backward, the conv's
// input gradient is taken w.r.t. the copy and folded back onto the input. Convs with zero padding are
// the wrapped kernel's alone.
import { dimsOf } from "../../emit/context.ts";
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { padGather, padScatter } from "./pad-mode.ts";

type Conv = WasmLayerContext<"conv">;
type Shape = Parameters<NonNullable<WasmOpEmitter<"conv">["scratch"]>>[0];

/** The layer as the kernel sees it: input the padded copy, pad 0. */
function padded<S extends Shape>(l: S): S {
  const [pt, pb, pl, pr] = l.args.pad;
  const input = [l.input.c, l.input.h + pt + pb, l.input.w + pl + pr];
  const { padding_mode: _mode, ...rest } = l.args;
  const args = { ...rest, pad: [0, 0, 0, 0] as [number, number, number, number] };
  return { ...l, args, layer: { ...l.layer, args, input, inputs: [input] }, input: dimsOf(input) };
}

/** The kernel's context reading `copy` and writing its input gradient to `dCopy`. */
function onCopy(l: Conv, copy: Conv["inp"], dCopy: Conv["dIn"]): Conv {
  const p = padded(l);
  return { ...p, inp: copy, dIn: dCopy, operands: [{ dims: p.input, inp: copy, dIn: dCopy, accumulate: false }] };
}

/** conv (the zero-padding kernel) extended with padding_mode */
export function withPaddingMode(conv: WasmOpEmitter<"conv">): WasmOpEmitter<"conv"> {
  return {
    scratch: (l) => conv.scratch?.(l.args.padding_mode === undefined ? l : padded(l)) ?? 0,
    forward(l) {
      const mode = l.args.padding_mode;
      if (mode === undefined) return conv.forward(l);
      const copy = l.buffer("pmx");
      const p = onCopy(l, copy, l.dIn);
      padGather(l.f, l.N, mode, l.args.pad, l.input, p.input, l.inp, copy);
      conv.forward(p);
    },
    backward(l) {
      const mode = l.args.padding_mode;
      if (mode === undefined) return conv.backward(l);
      const copy = l.buffer("pmxb"), dCopy = l.buffer("pmdx");
      const p = onCopy(l, copy, dCopy);
      padGather(l.f, l.N, mode, l.args.pad, l.input, p.input, l.inp, copy);
      conv.backward(p);
      padScatter(l.f, l.N, mode, l.args.pad, l.input, p.input, dCopy, l.dIn);
    },
  };
}

// conv with padding_mode reflect, replicate or circular (nn.Conv2d's padding_mode): the input is
// first padded into a workspace copy (./pad-mode.ts), which the zero-padding conv kernel of
// ./conv.ts reads with pad 0; its input gradient (w.r.t. the padded copy) is folded back onto
// the input. The kernel's code reads `inp` and writes `dIn`, so the copy is bound to those names
// in a block around it. Convs with zero padding are the kernel's alone.
import { dimsOf, type LayerContext, type OpEmitter, type WorkspaceBuffer } from "../context.ts";
import { conv as zeroPadConv } from "./conv.ts";
import { padGather, padScatter } from "./pad-mode.ts";

type Conv = LayerContext<"conv">;

/** The layer as the kernel sees it: input the padded copy, pad 0. */
function padded(l: Conv): Conv {
  const [pt, pb, pl, pr] = l.args.pad;
  const input = [l.input.c, l.input.h + pt + pb, l.input.w + pl + pr];
  const { padding_mode: _mode, ...rest } = l.args;
  const args = { ...rest, pad: [0, 0, 0, 0] as [number, number, number, number] };
  const dims = dimsOf(input);
  return {
    ...l,
    args,
    layer: { ...l.layer, args, input, inputs: [input] },
    input: dims,
    operands: [{ dims, inp: "inp", dIn: "dIn", accumulate: false }],
  };
}

/** The kernel's code with `inp` and `dIn` (where it reads them) bound to the padded copy and its gradient. */
function onCopy(code: string, copy: string, dCopy: () => string): string {
  const bind = [/\binp\b/.test(code) ? `const inp = ${copy};` : "", /\bdIn\b/.test(code) ? `const dIn = ${dCopy()};` : ""].filter((b) => b !== "");
  return `{\n    ${[...bind, code].join("\n    ")}\n  }`;
}

export const conv: OpEmitter<"conv"> = {
  buffers(l) {
    const mode = l.args.padding_mode;
    if (mode === undefined) return zeroPadConv.buffers?.(l) ?? [];
    const p = padded(l);
    const length = `batch * ${p.input.size}`;
    const own: WorkspaceBuffer[] = [
      { name: l.bufferName("pmx"), kind: "float", length, doc: `the input with its ${mode} padding (forward scratch)`, live: "forward" },
      { name: l.bufferName("pmxb"), kind: "float", length, doc: `the input with its ${mode} padding again (backward scratch)`, live: "backward" },
      { name: l.bufferName("pmdx"), kind: "float", length, doc: `the gradient w.r.t. the ${mode}-padded input (backward scratch)`, live: "backward" },
    ];
    return [...(zeroPadConv.buffers?.(p) ?? []), ...own];
  },

  strategy(l) {
    const mode = l.args.padding_mode;
    const inner = zeroPadConv.strategy?.(mode === undefined ? l : padded(l)) ?? "";
    return mode === undefined ? inner : `${mode} padding copy, then ${inner}`;
  },

  init: (l, param, suffix) => zeroPadConv.init!(l, param, suffix),

  forward(l) {
    const mode = l.args.padding_mode;
    if (mode === undefined) return zeroPadConv.forward(l);
    const p = padded(l);
    const copy = l.buffer("pmx");
    return `${padGather(mode, l.args.pad, l.input, p.input, "inp", copy)}
    ${onCopy(zeroPadConv.forward(p), copy, () => "dIn")}`;
  },

  backward(l) {
    const mode = l.args.padding_mode;
    if (mode === undefined) return zeroPadConv.backward(l);
    const p = padded(l);
    const copy = l.buffer("pmxb");
    const inner = zeroPadConv.backward(p);
    const parts = typeof inner === "string" ? [{ part: "conv", code: inner }] : inner;
    return [
      { part: "padCopy", code: padGather(mode, l.args.pad, l.input, p.input, "inp", copy) },
      ...parts.map((x) => ({ part: x.part, code: onCopy(x.code, copy, () => l.buffer("pmdx")) })),
      { part: "padFold", code: padScatter(mode, l.args.pad, l.input, p.input, l.buffer("pmdx"), "dIn") },
    ];
  },
};

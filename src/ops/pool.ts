// What maxpool and avgpool share: their arguments and the input-independent
// check that padding is at most kernel/2 per side (PyTorch's rule; E0209).
import { diag } from "../diagnostics.ts";
import { kernelArg, padArg, roundingArg, strideArg } from "./common-args.ts";
import { type Args, type ArgSpec, type Pad4, type ResolveContext, resolveRounding } from "./op.ts";
import { renderPad, renderPair, type WindowDraft } from "./window.ts";

export const poolArgs: readonly ArgSpec[] = [{ ...kernelArg, example: "2" }, strideArg("the kernel"), padArg, roundingArg];

export function resolvePool(a: Args, ctx: ResolveContext): WindowDraft | undefined {
  const kernel = a.pair("kernel");
  const pad = a.pad("pad");
  if (pad.kind === "explicit") {
    const limit: Pad4 = [0, 0, 1, 1].map((i) => Math.floor(kernel[i] / 2)) as Pad4;
    const sides = ["top", "bottom", "left", "right"];
    const over = [0, 1, 2, 3].filter((i) => pad.pad[i] > limit[i]);
    if (over.length > 0) {
      const clamped = pad.pad.map((p, i) => Math.min(p, limit[i])) as Pad4;
      const needed: [number, number] = [
        Math.max(kernel[0], 2 * Math.max(pad.pad[0], pad.pad[1])),
        Math.max(kernel[1], 2 * Math.max(pad.pad[2], pad.pad[3])),
      ];
      ctx.report(
        diag("E0209", a.span("pad"), `${ctx.op} padding ${renderPad(pad.pad, pad.form)} is more than half the kernel ${renderPair(kernel)}`, {
          notes: over.map((i) => `${sides[i]}: pad ${pad.pad[i]} > ${i < 2 ? kernel[0] : kernel[1]} / 2 = ${limit[i]}`),
          help: `pad=${renderPad(clamped, pad.form)} is the most this kernel allows, or kernel=${renderPair(needed)} allows this padding`,
        }),
      );
      return undefined;
    }
  }
  const r = resolveRounding(a, ctx, true);
  return {
    kernel,
    stride: a.given("stride") ? a.pair("stride") : kernel,
    dilation: [1, 1],
    pad,
    rounding: r.mode,
    roundingSource: r.source,
    isPool: true,
  };
}

// Padding modes shared by `pad(mode=…)` and conv's `padding_mode` (docs/language.md#padding-modes):
// the argument, and the size limit of reflect and circular padding (E0252).
import { diag, type Span } from "../diagnostics.ts";
import type { PadMode } from "../ir.ts";
import { type ArgSpec, type Args, formatShape, type InferContext, type Pad4 } from "./op.ts";

export const PAD_MODES = ["zeros", "reflect", "replicate", "circular"] as const;

export const padModeArg = (name: string, aliases: readonly string[]): ArgSpec => ({
  name,
  type: { kind: "enum", values: PAD_MODES },
  default: "zeros",
  doc: "what fills the padding: zeros, reflect (mirror without the edge), replicate (repeat the edge) or circular (wrap around); default zeros",
  aliases,
});

/** The mode as the IR holds it: undefined for zeros. */
export function padModeOf(a: Args, name: string): { mode?: PadMode; modeSpan: Span } {
  const v = a.enumValue(name);
  return { ...(v !== undefined && v !== "zeros" ? { mode: v as PadMode } : {}), modeSpan: a.span(name) };
}

/** reflect needs pad < size on each side, circular pad ≤ size (PyTorch refuses more); reports E0252. */
export function checkPadModeFits(mode: PadMode | undefined, modeSpan: Span, pad: Pad4, input: readonly number[], ctx: InferContext): boolean {
  if (mode === undefined || mode === "replicate") return true;
  const [, h, w] = input as [number, number, number];
  const sides: [string, number, number, string][] = [
    ["top", pad[0], h, "rows"],
    ["bottom", pad[1], h, "rows"],
    ["left", pad[2], w, "columns"],
    ["right", pad[3], w, "columns"],
  ];
  const max = (size: number) => (mode === "reflect" ? size - 1 : size);
  const bad = sides.find(([, p, size]) => p > max(size));
  if (bad === undefined) return true;
  const [side, p, size, unit] = bad;
  ctx.report(
    diag("E0252", modeSpan, `${ctx.display}: ${mode} padding of ${p} ${unit} (${side}) needs an input of more than ${mode === "reflect" ? p : p - 1} ${unit}, got ${formatShape(input)}`, {
      labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
      notes: [
        mode === "reflect"
          ? `reflect mirrors the ${size} ${unit} about the edge without repeating it, so it can add at most ${size - 1} on a side`
          : `circular wraps the ${size} ${unit} around once, so it can add at most ${size} on a side`,
        ...ctx.contextNotes,
      ],
      help: max(size) > 0 ? `pad at most ${max(size)} on a side, or use mode replicate` : "use mode replicate, which repeats the edge",
    }),
  );
  return false;
}

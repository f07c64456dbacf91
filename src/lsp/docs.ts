// What an op or loss and its arguments look like to someone typing them: the
// signature with defaults and each argument's one-line doc, from the op
// registry (src/ops/index.ts), for hover and completion.
import { findLoss, findOp } from "../ops/index.ts";
import type { ArgSpec, ArgValue } from "../ops/op.ts";
import { renderPad } from "../ops/window.ts";

export function argValueText(v: ArgValue): string {
  if (Array.isArray(v)) return v[0] === v[1] ? String(v[0]) : `(${v[0]}, ${v[1]})`;
  if (typeof v === "object") return v.kind === "same" ? "same" : renderPad(v.pad, v.form);
  return String(v);
}

/** `kernel=3` for a defaulted argument, `kernel` for a required one. */
export function argSignature(spec: ArgSpec): string {
  return spec.default !== undefined ? `${spec.name}=${argValueText(spec.default)}` : spec.name;
}

export interface Signature {
  name: string;
  primary?: string;
  args: readonly ArgSpec[];
}

/** A layer op or (after `loss`) a loss, by name. */
export function signatureOf(name: string, isLoss: boolean): Signature | undefined {
  return isLoss ? findLoss(name) : findOp(name);
}

/** `conv(filters, kernel, stride=1, pad=0, …)` followed by one line per argument. */
export function signatureMarkdown(sig: Signature): string {
  const head = sig.args.length === 0 ? sig.name : `${sig.name}(${sig.args.map(argSignature).join(", ")})`;
  const lines = sig.args.map((a) => `- \`${a.name}\`${a.name === sig.primary ? " (positional)" : ""}: ${a.doc}`);
  return ["```cnn", head, "```", ...lines].join("\n");
}

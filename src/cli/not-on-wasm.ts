// `--target wasm` on a model with a layer the wasm target does not compile:
// E0395 at that layer (the first one), exit 1, and nothing is written
// (docs/generated-api.md#ops-the-wasm-target-refuses).
import { diag, type Diagnostic } from "../diagnostics.ts";
import { firstLayerNotOnWasm, opsNotOnWasm } from "../emit-wasm/ops/index.ts";
import { wasmRefusal } from "../emit-wasm/refused.ts";
import { OP_NAMES, type Model } from "../ir.ts";

export function notOnWasm(model: Model): Diagnostic | undefined {
  const layer = firstLayerNotOnWasm(model);
  if (layer === undefined) {
    const refused = wasmRefusal(model);
    return (
      refused &&
      diag("E0395", refused.span, `the wasm target does not compile ${refused.what} of ${model.name}`, {
        notes: ["the wasm target pads with zeros only, and its `loss softmax` is the mean cross-entropy on [K] without options"],
        help: "use --target ts, which compiles every padding mode and loss option",
      })
    );
  }
  return diag("E0395", layer.span, `the wasm target does not compile \`${layer.args.op}\` (layer ${layer.name} of ${model.name})`, {
    notes: [`ops the wasm target does not compile yet: ${opsNotOnWasm(OP_NAMES).join(", ")}`],
    help: "use --target ts, which compiles every op",
  });
}

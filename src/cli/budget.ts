// `check --max-params N` / `--max-macs N`: a model that checked but is over
// budget gets E0390 / E0391, pointing at the model and labelling the layers
// that cost the most, so the fix starts where it pays.
import { diag, type Diagnostic } from "../diagnostics.ts";
import type { Layer, Model } from "../ir.ts";
import { formatCount, layerParamCount } from "../render/format.ts";

export interface Budgets {
  maxParams?: number;
  maxMacs?: number;
}

/** How many of the costliest layers a budget diagnostic names. */
const TOP_LAYERS = 3;

function overBudget(
  model: Model,
  code: "E0390" | "E0391",
  flag: string,
  noun: string,
  limit: number,
  total: number,
  cost: (l: Layer) => number,
): Diagnostic {
  const costliest = [...model.layers]
    .filter((l) => cost(l) > 0)
    .sort((a, b) => cost(b) - cost(a))
    .slice(0, TOP_LAYERS);
  const share = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
  return diag(code, model.span, `model '${model.name}' has ${formatCount(total)} ${noun}, over the budget of ${formatCount(limit)}`, {
    labels: costliest.map((l) => ({ span: l.span, message: `${l.name}: ${formatCount(cost(l))} (${share(cost(l))})` })),
    notes: [`${flag} is ${formatCount(limit)}; the model is ${formatCount(total - limit)} over`],
    help:
      costliest.length > 0
        ? `shrink the costliest layers first (${costliest.map((l) => l.name).join(", ")}), or raise ${flag}`
        : `raise ${flag}`,
  });
}

export function checkBudgets(models: readonly Model[], budgets: Budgets): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of models) {
    if (budgets.maxParams !== undefined && m.params > budgets.maxParams) {
      out.push(overBudget(m, "E0390", "--max-params", "parameters", budgets.maxParams, m.params, layerParamCount));
    }
    if (budgets.maxMacs !== undefined && m.macs > budgets.maxMacs) {
      out.push(overBudget(m, "E0391", "--max-macs", "MACs", budgets.maxMacs, m.macs, (l) => l.macs));
    }
  }
  return out;
}

/** Parses a budget: digits with optional `_` or `,` separators and an optional k/M/G suffix (1000s). */
export function parseCount(text: string): number | undefined {
  const match = /^(\d+(?:[_,]\d+)*)([kKmMgG]?)$/.exec(text.trim());
  if (!match) return undefined;
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[match[2].toLowerCase() as "" | "k" | "m" | "g"];
  const value = Number(match[1].replace(/[_,]/g, "")) * scale;
  return Number.isSafeInteger(value) ? value : undefined;
}

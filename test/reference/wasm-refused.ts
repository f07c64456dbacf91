// A model the wasm target refuses (E0395), for the tests of that refusal: one layer of the
// first op its registry marks NOT_ON_WASM, drawn by ./models.ts. Undefined while the wasm
// target compiles every op of the IR (then E0395 has nothing to refuse).
import { OP_NAMES } from "../../src/ir.ts";
import { opsNotOnWasm } from "../../src/emit-wasm/ops/index.ts";
import { modelText, randomModelSpec } from "./models.ts";

export interface Refused {
  op: string;
  /** the .cnn text of a model whose only layers use the op */
  text: string;
  /** 1-based line of its first layer in `text` */
  line: number;
}

export function refusedByWasm(name: string): Refused | undefined {
  const op = opsNotOnWasm(OP_NAMES).find((o) => o !== "add" && o !== "concat");
  if (op === undefined) return undefined;
  for (let seed = 1; seed < 1000; seed++) {
    const spec = randomModelSpec(name, seed, { ops: [op], maxLayers: 1, loss: false });
    if (spec.layers.some((l) => l.op === op)) {
      const text = modelText(spec);
      return { op, text, line: text.split("\n").findIndex((l) => l.startsWith("  ") && !l.trimStart().startsWith("input") && !l.trimStart().startsWith("rounding")) + 1 };
    }
  }
  throw new Error(`internal: no random model draws ${op}`);
}

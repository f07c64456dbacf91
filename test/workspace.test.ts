// The workspace packed by liveness (src/emit/slots.ts): measured on the
// generated module itself — the distinct ArrayBuffers createWorkspace
// allocates — for torchvision's ResNet-18 and ResNet-50 (examples/zoo), f32,
// at batch 8, against the sum of every layer's output. Measured at batches 1
// and 2 and extrapolated (every buffer is a·batch + b), so the test does not
// allocate a gigabyte.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { ModuleFolder } from "./reference/generated.ts";

const folder = new ModuleFolder("cnnc-workspace-");
afterAll(() => folder.remove());

/** Bytes of the distinct buffers behind a workspace's arrays: parameter gradients, and everything else. */
function bytesOf(ws: Record<string, unknown>): { grads: number; rest: number } {
  const seen = new Set<ArrayBufferLike>();
  const sum = (values: unknown[]) => {
    let total = 0;
    for (const v of values) {
      if (!ArrayBuffer.isView(v) || seen.has(v.buffer)) continue;
      seen.add(v.buffer);
      total += v.buffer.byteLength;
    }
    return total;
  };
  const grads = sum(Object.values(ws.grads as object));
  const rest = sum(Object.entries(ws).filter(([k]) => k !== "grads" && k !== "result").map(([, v]) => v));
  return { grads, rest };
}

const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

describe("workspace size of the zoo ResNets, f32, batch 8", () => {
  for (const name of ["resnet18", "resnet50"]) {
    it(`${name}: activations, gradients and scratch well below the sum of all layer outputs`, async () => {
      const path = `examples/zoo/${name}.cnn`;
      const model: Model = compile(readFileSync(path), path, readImport).models[0]!;
      const net = (await folder.load(`${name}.ts`, emitModule(model, { dtype: "f32", sourceName: `${name}.cnn` }))) as {
        createWorkspace(batch: number): Record<string, unknown>;
      };
      const one = bytesOf(net.createWorkspace(1));
      const two = bytesOf(net.createWorkspace(2));
      const at8 = (b1: number, b2: number) => b1 + 7 * (b2 - b1);
      const rest = at8(one.rest, two.rest);
      const grads = at8(one.grads, two.grads);
      const activations = 8 * 4 * model.layers.reduce((s, l) => s + l.output.reduce((a, b) => a * b, 1), 0);
      console.log(
        `${name} f32 batch 8: workspace ${MB(rest + grads)} = ${MB(rest)} activations, gradients and scratch + ${MB(grads)} parameter gradients; ` +
          `sum of all layer outputs ${MB(activations)} (${((100 * rest) / activations).toFixed(0)} %)`,
      );
      expect(grads).toBe(4 * model.params);
      expect(rest).toBeLessThan(activations);
      if (name === "resnet50") expect(rest).toBeLessThan(0.75 * activations);
    }, 120_000);
  }
});

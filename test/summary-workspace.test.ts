// `cnnc summary` reports the workspace of the generated module (docs/cli.md#cnnc-summary):
// the bytes in its text line and JSON document equal the module's own
// workspaceBytes(batch), and the typed arrays createWorkspace(batch) really
// allocates (every distinct ArrayBuffer reachable from the workspace, counted once).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import { JsonDocumentSchema } from "../src/render/json.ts";
import { cnnc } from "./cli-helpers.ts";
import { ModuleFolder } from "./reference/generated.ts";

const tmp = mkdtempSync(join(tmpdir(), "cnnc-summary-"));
const folder = new ModuleFolder("cnnc-summary-ws-");
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  folder.remove();
});

// a residual graph, so the workspace shares buffers between values whose lifetimes do not overlap
const GRAPH = `model Res {
  input [3, 16, 16]
  stem: conv(8, kernel=3, pad=1)
  batchnorm
  relu
  add { { conv(8, kernel=3, pad=1); relu; conv(8, kernel=3, pad=1) } {} }
  concat { maxpool(2, stride=1) { conv(4, kernel=2); dropout(0.5) } }
  globalavgpool
  affine(5)
  loss softmax
}
model Broken {
  input [3, 4, 4]
  maxpool(8)
}
`;
const graph = join(tmp, "res.cnn");
writeFileSync(graph, GRAPH);

/** Bytes of every distinct ArrayBuffer behind the typed arrays reachable from `root`. */
function allocatedBytes(root: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) return void buffers.add(v.buffer);
    for (const x of Object.values(v)) walk(x);
  };
  walk(root);
  return [...buffers].reduce((sum, b) => sum + b.byteLength, 0);
}

interface Generated {
  workspaceBytes(batch: number): number;
  createWorkspace(batch: number): object;
}

describe("cnnc summary: the workspace bytes", () => {
  for (const [file, model, dtype, batch] of [
    ["examples/lenet5.cnn", "LeNet5", "f32", 7],
    [graph, "Res", "f32", 3],
    [graph, "Res", "f64", 2],
  ] as const) {
    it(`${model} (${dtype}): batch 1 and --batch ${batch}, as the module's workspaceBytes and its real allocations`, async () => {
      const json = await cnnc("summary", file, "--model", model, "--batch", String(batch), "--dtype", dtype, "--format", "json");
      expect(json.code).toBe(0);
      const doc = JsonDocumentSchema.parse(JSON.parse(json.stdout));
      const w = doc.models[0]!.workspace!;
      expect(w.dtype).toBe(dtype);
      expect(w.batches.map((b) => b.batch)).toEqual([1, batch]);

      const m = compileFile(file).models.find((x) => x.name === model)!;
      const net = await folder.load<Generated>(`${model}-${dtype}.ts`, emitModule(m, { dtype, sourceName: file }));
      for (const b of w.batches) {
        expect(b.bytes).toBe(net.workspaceBytes(b.batch));
        expect(b.bytes).toBe(allocatedBytes(net.createWorkspace(b.batch)));
      }
      expect(w.batches[1]!.bytes - w.batches[0]!.bytes).toBe((batch - 1) * w.perSample);

      const text = await cnnc("summary", file, "--model", model, "--batch", String(batch), "--dtype", dtype);
      const line = text.stdout.trimEnd().split("\n").at(-1)!;
      expect(line).toMatch(new RegExp(`^workspace  ${dtype}: [\\d.]+ (KiB|MiB) at batch 1, [\\d.]+ (KiB|MiB) at batch ${batch} \\(`));
      expect(line).toContain(`(${w.perSample.toLocaleString("en-US")} bytes per sample + ${w.fixed.toLocaleString("en-US")})`);
    });
  }

  it("gives batch 1 alone without --batch, none for a failing model, and says when a batch is more than createWorkspace accepts", async () => {
    const r = await cnnc("summary", graph);
    expect(r.code).toBe(1);
    expect(r.stdout.match(/^workspace .*$/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^workspace  f32: [\d.]+ KiB at batch 1 \(/m);
    const doc = JsonDocumentSchema.parse(JSON.parse((await cnnc("summary", graph, "--format", "json")).stdout));
    expect(doc.models.map((m) => [m.name, m.workspace?.batches.length])).toEqual([["Res", 1], ["Broken", undefined]]);
    expect(doc.diagnostics.map((d) => d.code)).toEqual(["E0302"]);
    const max = doc.models[0]!.workspace!.maxBatch;
    const huge = await cnnc("summary", graph, "--model", "Res", "--batch", String(max + 1));
    expect(huge.stdout).toContain(`at batch ${(max + 1).toLocaleString("en-US")} (more than createWorkspace accepts: its largest batch is ${max.toLocaleString("en-US")})`);
  });

  it("refuses a --batch that is not a whole number ≥ 1 (exit 2)", async () => {
    for (const bad of ["0", "1.5", "x"]) expect((await cnnc("summary", graph, "--batch", bad)).code).toBe(2);
  });
});

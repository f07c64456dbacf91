// Sizes refused up front. The generated module's workspaceBytes(batch) equals the
// bytes createWorkspace really allocates (measured here by summing the typed
// arrays it returns); createWorkspace refuses a batch whose largest buffer a
// typed array cannot hold, naming the batch and the bytes, and turns an engine's
// allocation failure into the same kind of RangeError; the gradient-check
// harness and `cnnc gradcheck --batch` refuse before any work (E0004, exit 2).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gradcheckBatchTooLarge } from "../src/cli/memory.ts";
import { emitGradcheck, gradcheckMemory } from "../src/emit/gradcheck.ts";
import { emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { cnnc } from "./cli-helpers.ts";
import { emitDir, load } from "./emit-harness.ts";

type Module = Awaited<ReturnType<typeof load>> & { workspaceBytes(batch: number): number };

const TYPED_ARRAY_MAX = 2 ** 32; // elements, Node 20's V8: `new Uint8Array(2 ** 32 + 1)` throws

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".cnn"))
  .flatMap((f) => compile(readFileSync(join("examples", f), "utf8"), f).models);

/** The typed arrays of a workspace by property path, each buffer once (result.dx aliases a buffer). */
function arrays(ws: Record<string, unknown>): Map<string, ArrayBufferView & { length: number }> {
  const found = new Map<string, ArrayBufferView & { length: number }>();
  const seen = new Set<ArrayBufferLike>();
  const walk = (v: unknown, path: string) => {
    if (ArrayBuffer.isView(v)) {
      if (!seen.has(v.buffer)) found.set(path, v as ArrayBufferView & { length: number });
      seen.add(v.buffer);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  walk(ws, "ws");
  return found;
}

// a view of a shared allocation counts the allocation, once
const bytesOf = (ws: Record<string, unknown>) => [...arrays(ws).values()].reduce((a, v) => a + v.buffer.byteLength, 0);

async function loadModule(model: Model, dtype: "f32" | "f64"): Promise<Module> {
  return (await load(emitModule(model, { dtype, sourceName: "m.cnn" }), `ws_${model.name}_${dtype}`, join(emitDir, "workspace-size"))) as Module;
}

describe("the generated module's workspace size", () => {
  // every example in f32; f64 too where a workspace of 2 samples stays small (not VGG16's 1.4 GB)
  const cases = examples.flatMap((m) => (m.params < 10_000_000 ? (["f32", "f64"] as const) : (["f32"] as const)).map((d) => [m.name, d, m] as const));
  it.each(cases)(
    "%s (%s): workspaceBytes is what createWorkspace allocates; a batch past the typed-array limit is refused",
    async (_name, dtype, model) => {
      const m = await loadModule(model, dtype);
      const one = m.createWorkspace(1);
      const two = m.createWorkspace(2);
      expect(m.workspaceBytes(1)).toBe(bytesOf(one));
      expect(m.workspaceBytes(2)).toBe(bytesOf(two));
      // the largest batch: the buffer that grows fastest reaches 2^32 elements
      const at1 = arrays(one);
      // elements of each allocation (a view of a shared one counts the whole allocation)
      const elements = (a: ArrayBufferView) => a.buffer.byteLength / (a as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      const perSample = Math.max(...[...arrays(two)].map(([path, a]) => elements(a) - elements(at1.get(path)!)));
      const maxBatch = Math.floor(TYPED_ARRAY_MAX / perSample);
      const over = maxBatch + 1;
      expect(() => m.createWorkspace(over)).toThrow(RangeError);
      expect(() => m.createWorkspace(over)).toThrow(
        `${model.name}: createWorkspace(${over}) would need ${m.workspaceBytes(over)} bytes; its buffer `,
      );
      expect(() => m.createWorkspace(over)).toThrow(`would hold ${over * perSample} elements, more than the 4294967296 a typed array holds (the largest batch is ${maxBatch})`);
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => m.createWorkspace(bad)).toThrow(`${model.name}: createWorkspace(batch) needs a positive integer batch; got ${bad}`);
      }
    },
  );

  it("an allocation the engine refuses becomes a RangeError naming the batch and the bytes", async () => {
    const model = examples.find((m) => m.name === "LeNet5")!;
    const m = await loadModule(model, "f32");
    const real = globalThis.Float32Array;
    // an engine (or a machine) that cannot allocate this much: the first large array fails
    globalThis.Float32Array = class extends real {
      constructor(n: number) {
        if (n > 1000) throw new RangeError("Array buffer allocation failed");
        super(n);
      }
    } as Float32ArrayConstructor;
    try {
      expect(() => m.createWorkspace(64)).toThrow(
        `LeNet5: createWorkspace(64) needs ${m.workspaceBytes(64)} bytes, which could not be allocated (Array buffer allocation failed)`,
      );
    } finally {
      globalThis.Float32Array = real;
    }
    expect(m.createWorkspace(2).batch).toBe(2);
  });
});

describe("the gradient-check harness", () => {
  it("refuses a batch whose arrays a typed array cannot hold, before any work", async () => {
    const model = examples.find((m) => m.name === "LeNet5")!;
    const memory = gradcheckMemory(model);
    // at least the f64 workspace, measured
    const ws = await loadModule(model, "f64");
    expect(memory.perSample).toBeGreaterThan(ws.workspaceBytes(2) - ws.workspaceBytes(1));
    expect(memory.fixed).toBeGreaterThan(2 * ws.workspaceBytes(1) - ws.workspaceBytes(2));
    const h = (await load(emitGradcheck(model, { sourceName: "m.cnn" }), "gc_LeNet5", join(emitDir, "workspace-size"))) as unknown as {
      gradcheck(o: { batch: number }): unknown;
      gradcheckBytes(batch: number): number;
    };
    expect(h.gradcheckBytes(1000)).toBe(1000 * memory.perSample + memory.fixed);
    const started = Date.now();
    expect(() => h.gradcheck({ batch: 1e9 })).toThrow(
      `LeNet5: a gradient check of batch 1000000000 would need ${h.gradcheckBytes(1e9)} bytes; its activation pattern would hold`,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("cnnc gradcheck --batch", () => {
  it("refuses 1e9 samples for LeNet-5 up front: E0004, exit 2, the bytes and the limit, no harness run", async () => {
    const r = await cnnc("gradcheck", "examples/lenet5.cnn", "--batch", "1000000000");
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^error\[E0004\]: --batch 1000000000 needs \d+\.\d TiB for the gradient check of LeNet5, more than the limit of \d+\.\d [GT]iB\n/);
    expect(r.stdout).toContain("more than the 4,294,967,296 a typed array holds");
    expect(r.stdout).toMatch(/help: the largest batch that fits is [\d,]+/);
    expect(r.stdout).not.toContain("harness built");
    expect(r.stdout + r.stderr).not.toContain("Invalid typed array length");
  });

  it("compares the bytes with the machine's memory and the typed-array limit", () => {
    const model = examples.find((m) => m.name === "LeNet5")!;
    const need = gradcheckMemory(model);
    const gib = 2 ** 30;
    // fits: 100 samples in 1 GiB
    expect(gradcheckBatchTooLarge("m.cnn", model, 100, gib)).toBeUndefined();
    // memory binds: the largest batch is what fits in the limit (10,000 samples: 10,000 × need.perSample + need.fixed bytes)
    expect((10_000 * need.perSample + need.fixed) / gib).toBeCloseTo(2.9, 1);
    const tight = gradcheckBatchTooLarge("m.cnn", model, 10_000, gib)!;
    expect(tight.code).toBe("E0004");
    expect(tight.message).toBe("--batch 10000 needs 2.9 GiB for the gradient check of LeNet5, more than the limit of 1.0 GiB");
    expect(tight.help).toBe(`the largest batch that fits is ${Math.floor((gib - need.fixed) / need.perSample).toLocaleString("en-US")}; a gradient check needs only a few samples`);
    // the typed array binds on a machine with memory to spare
    const huge = gradcheckBatchTooLarge("m.cnn", model, need.maxBatch + 1, 2 ** 60)!;
    expect(huge.message).toMatch(/^--batch \d+ is too large for the gradient check of LeNet5: its activation pattern would hold [\d,]+ elements, more than the 4,294,967,296 a typed array holds$/);
    expect(gradcheckBatchTooLarge("m.cnn", model, need.maxBatch, 2 ** 60)).toBeUndefined();
  });
});

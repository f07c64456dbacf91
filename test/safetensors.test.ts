// saveParams / loadParams as emitted by src/emit/safetensors.ts: round trips,
// files written here byte by byte from the format's definition (never by our
// writer), a PyTorch-like file with num_batches_tracked, numpy as an independent
// reader and writer, and every corruption case of docs/interop.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { affine, handModel, lenetWithBatchnorm } from "./interop-ir.ts";
import { emittedDir, importWeightsModule, writeWeightsModule, type Arrays, type WeightsModule } from "./interop-emitted.ts";

const lenet = lenetWithBatchnorm();
const tiny = handModel("Tiny", [3], [["out", affine(2)]]);

/** Expected tensors of `lenet`, listed by hand from the architecture (not from the IR). */
const lenetTensors: [string, number[], "params" | "state"][] = [
  ["c1.weight", [6, 1, 5, 5], "params"],
  ["c1.bias", [6], "params"],
  ["bn1.weight", [6], "params"],
  ["bn1.bias", [6], "params"],
  ["bn1.running_mean", [6], "state"],
  ["bn1.running_var", [6], "state"],
  ["c3.weight", [16, 6, 5, 5], "params"],
  ["c3.bias", [16], "params"],
  ["f5.weight", [120, 400], "params"],
  ["f5.bias", [120], "params"],
  ["out.weight", [10, 120], "params"],
  ["out.bias", [10], "params"],
];
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

// ---- A safetensors writer from the format's definition, independent of ours ----
type Entry = { name: string; dtype: string; shape: number[]; data: Uint8Array };

/** Little-endian bytes of the values in the given dtype, one DataView write per value. */
function encode(dtype: "F32" | "F64" | "F16" | "I64", values: number[]): Uint8Array {
  const size = { F32: 4, F64: 8, F16: 2, I64: 8 }[dtype];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (dtype === "F32") view.setFloat32(i * size, v, true);
    else if (dtype === "F64") view.setFloat64(i * size, v, true);
    else if (dtype === "I64") view.setBigInt64(i * size, BigInt(v), true);
    else view.setUint16(i * size, 0x3c00, true); // F16 1.0
  });
  return out;
}

/** 8-byte LE u64 header size, JSON header padded with spaces to 8, then the data in `entries` order. */
function writeFile(entries: Entry[], metadata?: Record<string, string>, headerOverride?: Record<string, unknown>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header["__metadata__"] = metadata;
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.data.length] };
    offset += e.data.length;
  }
  Object.assign(header, headerOverride);
  let json = JSON.stringify(header);
  while (json.length % 8 !== 0) json += " ";
  const out = new Uint8Array(8 + json.length + offset);
  let n = json.length;
  for (let i = 0; i < 8; i++, n = Math.floor(n / 256)) out[i] = n % 256;
  for (let i = 0; i < json.length; i++) out[8 + i] = json.charCodeAt(i);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.data, at);
    at += e.data.length;
  }
  return out;
}

/** Exactly representable test values: tensor k, entry i → ((i * 7 + k) % 13 - 6) / 4. */
const pattern = (k: number, n: number) => Array.from({ length: n }, (_, i) => (((i * 7 + k) % 13) - 6) / 4);

/** A PyTorch-like state dict of `lenet`: alphabetical order, num_batches_tracked I64, format pt. */
function pytorchLikeEntries(dtype: "F32" | "F64" = "F32"): Entry[] {
  const entries: Entry[] = lenetTensors.map(([name, shape], k) => ({ name, dtype, shape, data: encode(dtype, pattern(k, count(shape))) }));
  entries.push({ name: "bn1.num_batches_tracked", dtype: "I64", shape: [], data: encode("I64", [937]) });
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

function expectPattern(loaded: { params: Arrays; state: Arrays }) {
  lenetTensors.forEach(([name, shape, group], k) => {
    const values = loaded[group][name];
    expect(values, name).toBeDefined();
    expect(Array.from(values!), name).toEqual(pattern(k, count(shape)));
  });
}

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  throw new Error("expected an Error");
};

let f32: WeightsModule;
let f64: WeightsModule;
let tiny32: WeightsModule;
beforeAll(async () => {
  [f32, f64, tiny32] = await Promise.all([
    importWeightsModule(lenet, "f32"),
    importWeightsModule(lenet, "f64"),
    importWeightsModule(tiny, "f32"),
  ]);
});

function randomWeights(array: Float32ArrayConstructor | Float64ArrayConstructor) {
  const params: Arrays = {};
  const state: Arrays = {};
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (const [name, shape, group] of lenetTensors) {
    const values = Float64Array.from({ length: count(shape) }, rand);
    (group === "params" ? params : state)[name] = array === Float32Array ? Float32Array.from(values) : values;
  }
  return { params, state };
}

describe("round trip", () => {
  for (const [dtype, array] of [["f32", Float32Array], ["f64", Float64Array]] as const) {
    it(`${dtype}: loadParams(saveParams(p, s)) gives back every value exactly`, () => {
      const mod = dtype === "f32" ? f32 : f64;
      const { params, state } = randomWeights(array);
      const bytes = mod.saveParams(params, state, { epoch: "3" });
      const back = mod.loadParams(bytes);
      expect(back.notes).toEqual([]);
      expect(back.metadata).toEqual({ format: "pt", producer: "cnnc", model: "LeNetBN", epoch: "3" });
      for (const [name, , group] of lenetTensors) {
        const got = back[group][name]!;
        expect(got).toBeInstanceOf(array);
        expect(got).toEqual((group === "params" ? params : state)[name]);
        expect(got).not.toBe((group === "params" ? params : state)[name]);
      }
      expect(Object.keys(back.params).sort()).toEqual(lenetTensors.filter((t) => t[2] === "params").map((t) => t[0]).sort());
      expect(Object.keys(back.state).sort()).toEqual(["bn1.running_mean", "bn1.running_var"]);
    });
  }

  it("writes the layout of the format: u64 LE length, space-padded JSON, aligned LE data", () => {
    const { params, state } = randomWeights(Float32Array);
    const bytes = f32.saveParams(params, state);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect(n % 8).toBe(0);
    const json = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(json.startsWith("{")).toBe(true);
    expect(json.trimEnd().length).toBeGreaterThan(n - 8);
    const header = JSON.parse(json);
    expect(header["c1.weight"]).toEqual({ dtype: "F32", shape: [6, 1, 5, 5], data_offsets: [0, 600] });
    expect(header["c1.bias"]).toEqual({ dtype: "F32", shape: [6], data_offsets: [600, 624] });
    const total = lenetTensors.reduce((a, [, shape]) => a + count(shape) * 4, 0);
    expect(bytes.length).toBe(8 + n + total);
    const c3 = header["c3.weight"].data_offsets[0];
    expect(view.getFloat32(8 + n + c3 + 4 * 17, true)).toBe(params["c3.weight"]![17]);
  });

  it("saveParams refuses an array of the wrong length, naming the tensor", () => {
    const { params, state } = randomWeights(Float32Array);
    params["f5.weight"] = new Float32Array(10);
    expect(messageOf(() => f32.saveParams(params, state))).toBe(
      "saveParams: tensor 'f5.weight' has 10 values, expected 48000 (shape [120, 400])",
    );
  });
});

describe("files written byte by byte", () => {
  it("reads a hand-assembled file for a one-layer model", () => {
    const json = '{"out.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"out.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}';
    const padded = json + " ".repeat((8 - (json.length % 8)) % 8);
    // 1, -2, 0.5, 0.25, 3, -1 then bias 10, -0.125: IEEE-754 single, little-endian
    const data = [
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f,
      0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0xbf,
      0x00, 0x00, 0x20, 0x41, 0x00, 0x00, 0x00, 0xbe,
    ];
    const bytes = new Uint8Array([padded.length, 0, 0, 0, 0, 0, 0, 0, ...Array.from(padded, (c) => c.charCodeAt(0)), ...data]);
    const loaded = tiny32.loadParams(bytes);
    expect(Array.from(loaded.params["out.weight"]!)).toEqual([1, -2, 0.5, 0.25, 3, -1]);
    expect(Array.from(loaded.params["out.bias"]!)).toEqual([10, -0.125]);
    expect(loaded.notes).toEqual([]);
  });

  it("loads a PyTorch-like state dict and ignores num_batches_tracked with a note", () => {
    const loaded = f32.loadParams(writeFile(pytorchLikeEntries(), { format: "pt" }));
    expectPattern(loaded);
    expect(loaded.notes).toEqual([
      "ignored tensor 'bn1.num_batches_tracked' (I64, shape []): the model has no such tensor",
    ]);
    expect(loaded.metadata).toEqual({ format: "pt" });
  });

  it("reads from a Uint8Array that is an unaligned view into a bigger buffer (Node's pooled Buffers)", () => {
    const file = writeFile(pytorchLikeEntries());
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    expectPattern(f32.loadParams(big.subarray(3)));
  });

  it("converts F64 tensors into an f32 module and F32 into an f64 module, with a note per tensor", () => {
    const into32 = f32.loadParams(writeFile(pytorchLikeEntries("F64")));
    expectPattern(into32);
    expect(into32.params["c1.weight"]).toBeInstanceOf(Float32Array);
    expect(into32.notes).toContain("tensor 'c1.weight': converted F64 to F32");
    expect(into32.notes.filter((n) => n.startsWith("tensor ")).length).toBe(lenetTensors.length);
    const into64 = f64.loadParams(writeFile(pytorchLikeEntries("F32")));
    expectPattern(into64);
    expect(into64.state["bn1.running_var"]).toBeInstanceOf(Float64Array);
    expect(into64.notes).toContain("tensor 'bn1.running_var': converted F32 to F64");
  });
});

describe("corrupt or mismatched files throw an Error naming the tensor and both shapes", () => {
  const good = () => pytorchLikeEntries();
  const load = (bytes: Uint8Array) => messageOf(() => f32.loadParams(bytes));

  it("a file shorter than the length prefix", () => {
    expect(load(new Uint8Array([16, 0, 0]))).toBe(
      "loadParams: truncated file: 3 bytes, shorter than the 8-byte header length",
    );
  });

  it("a header length past the end of the file (also with the u64's high word set)", () => {
    const file = writeFile(good());
    expect(load(file.subarray(0, 40))).toMatch(/^loadParams: truncated header: it declares \d+ bytes but only 32 follow the length$/);
    const huge = file.slice();
    huge[5] = 1;
    expect(load(huge)).toMatch(/^loadParams: truncated header: it declares 1099511\d+ bytes/);
  });

  it("a header that is not JSON, not UTF-8 or not an object", () => {
    const withHeader = (text: number[]) => new Uint8Array([text.length, 0, 0, 0, 0, 0, 0, 0, ...text]);
    expect(load(withHeader(Array.from("{oops}  ", (c) => c.charCodeAt(0))))).toMatch(/^loadParams: the header is not valid UTF-8 JSON \(/);
    expect(load(withHeader([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x20]))).toMatch(/^loadParams: the header is not valid UTF-8 JSON/);
    expect(load(withHeader(Array.from("[1, 2]  ", (c) => c.charCodeAt(0))))).toBe("loadParams: the header is not a JSON object");
  });

  it("a malformed header entry", () => {
    const bytes = writeFile(good(), undefined, { "c1.bias": { dtype: "F32", shape: [6] } });
    expect(load(bytes)).toBe(
      "loadParams: tensor 'c1.bias': the header entry is not {dtype: string, shape: int[], data_offsets: [begin, end]}",
    );
  });

  it("a file cut short inside the data names the tensor whose bytes are missing", () => {
    const file = writeFile(good());
    // alphabetical order puts out.weight last: [10, 120] F32 = 4800 bytes
    expect(load(file.subarray(0, file.length - 100))).toMatch(
      /^loadParams: truncated file: tensor 'out\.weight' \(shape \[10, 120\], F32\) needs data bytes \d+\.\.\d+ but the data section has only \d+$/,
    );
  });

  it("data_offsets that disagree with the shape", () => {
    const entries = good();
    const bytes = writeFile(entries, undefined, { "c1.bias": { dtype: "F32", shape: [6], data_offsets: [0, 20] } });
    expect(load(bytes)).toBe("loadParams: tensor 'c1.bias': shape [6] of F32 needs 24 bytes but data_offsets [0, 20] span 20");
  });

  it("missing, extra, mis-shaped and wrongly typed tensors, all in one message", () => {
    const entries = good()
      .filter((e) => e.name !== "bn1.running_var")
      .map((e) =>
        e.name === "c3.weight" ? { ...e, shape: [16, 6, 3, 3], data: encode("F32", pattern(0, 16 * 6 * 9)) }
        : e.name === "f5.bias" ? { ...e, dtype: "F16", data: encode("F16", pattern(0, 120)) }
        : e,
      );
    entries.push({ name: "fc.weight", dtype: "F32", shape: [2, 2], data: encode("F32", [1, 2, 3, 4]) });
    expect(load(writeFile(entries))).toBe(
      [
        "loadParams: the file does not match model LeNetBN:",
        "  missing tensor 'bn1.running_var' (expected shape [6])",
        "  tensor 'c3.weight' has shape [16, 6, 3, 3], expected [16, 6, 5, 5]",
        "  tensor 'f5.bias' (shape [120]) has dtype F16, expected F32 or F64",
        "  unexpected tensor 'fc.weight' (F32, shape [2, 2]): model LeNetBN has no such tensor",
      ].join("\n"),
    );
  });

  it("an expected tensor stored as an integer dtype is a wrong dtype, not ignored", () => {
    const entries = good().map((e) => (e.name === "c1.bias" ? { ...e, dtype: "I64", data: encode("I64", [1, 2, 3, 4, 5, 6]) } : e));
    expect(load(writeFile(entries))).toContain("tensor 'c1.bias' (shape [6]) has dtype I64, expected F32 or F64");
  });

  it("an empty file (header {} and no data) lists every tensor as missing", () => {
    const message = load(writeFile([]));
    for (const [name, shape] of lenetTensors) expect(message).toContain(`missing tensor '${name}' (expected shape [${shape.join(", ")}])`);
  });
});

describe("numpy as an independent reader and writer", () => {
  const python = (script: string, args: string[]) => execFileSync("python3", ["-c", script, ...args], { encoding: "utf8" });

  it("numpy reads what saveParams wrote", () => {
    const { params, state } = randomWeights(Float32Array);
    const file = join(emittedDir, "lenet-saved.safetensors");
    mkdirSync(emittedDir, { recursive: true });
    writeFileSync(file, f32.saveParams(params, state));
    const out = python(
      `import json, struct, sys, numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
assert n % 8 == 0
for name, e in header.items():
    if name == "__metadata__":
        continue
    b, end = e["data_offsets"]
    a = np.frombuffer(raw[8 + n + b:8 + n + end], dtype="<f4").reshape(e["shape"])
    print(name, list(a.shape), repr(float(a.astype(np.float64).sum())), repr(float(a.flat[-1])))`,
      [file],
    );
    const lines = out.trim().split("\n");
    expect(lines.length).toBe(lenetTensors.length);
    for (const line of lines) {
      const [name, ...rest] = line.split(" ");
      const values = (params[name!] ?? state[name!])!;
      const sum = Array.from(values).reduce((a, b) => a + b, 0);
      const last = Number(rest.at(-1));
      expect(last, name).toBe(values[values.length - 1]);
      expect(Number(rest.at(-2))).toBeCloseTo(sum, 3);
    }
  });

  it("loadParams reads what numpy wrote in safetensors layout", () => {
    const file = join(emittedDir, "numpy-written.safetensors");
    python(
      `import json, struct, sys, numpy as np
names = sys.argv[2].split(",")
shapes = [list(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
for k, (name, shape) in enumerate(zip(names, shapes)):
    a = ((np.arange(int(np.prod(shape))) * 7 + k) % 13 - 6) / 4
    blob = a.astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(blob)]}
    blobs.append(blob); off += len(blob)
header["bn1.num_batches_tracked"] = {"dtype": "I64", "shape": [], "data_offsets": [off, off + 8]}
blobs.append(np.array(5, dtype="<i8").tobytes())
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))`,
      [file, lenetTensors.map((t) => t[0]).join(","), lenetTensors.map((t) => t[1].join("x")).join(",")],
    );
    const loaded = f32.loadParams(readFileSync(file));
    expectPattern(loaded);
    expect(loaded.notes).toHaveLength(1);
  });
});

it("the emitted text type-checks under tsc --strict for f32 and f64, with browser libs and no Node types", () => {
  const files = [writeWeightsModule(lenet, "f32"), writeWeightsModule(lenet, "f64")];
  const config = join(emittedDir, "tsconfig.json");
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [] },
      files,
    }),
  );
  const run = () => execFileSync("node_modules/.bin/tsc", ["-p", config], { encoding: "utf8" });
  expect(run).not.toThrow();
});

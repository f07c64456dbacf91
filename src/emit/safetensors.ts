// Checked IR (one model) + dtype → the TypeScript text of `saveParams` / `loadParams`
// for the generated module: the model's weights as safetensors with PyTorch names.
// Guarantees: the text imports nothing (browser-safe: DataView, TextEncoder/Decoder
// only), bakes every name, shape and byte range in as a literal, and refers only to
// the module's `Params` and `State` types. Emits no diagnostics (the IR is checked).
//
// The format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// u64 N, then N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin,
// end]}, "__metadata__"?: {string: string}}` padded with spaces to a multiple of 8,
// then the raw little-endian data; offsets are relative to the end of the header.
//
// Loading rules (documented in docs/interop.md):
// - F32 and F64 tensors are accepted for every parameter and state tensor and
//   converted to the module's dtype (with a note); any other dtype is an error.
// - Extra integer/bool tensors (PyTorch's `num_batches_tracked`, I64) are ignored
//   with a note; an extra floating-point tensor is an error.
// - Missing, extra or mis-shaped tensors and wrong dtypes are all collected and
//   reported in one Error (like PyTorch's load_state_dict); a malformed or
//   truncated file throws at the first problem. Every message names the tensor,
//   the expected and the found shape.
import type { Model, Tensor } from "../ir.ts";
import type { Dtype } from "./context.ts";

interface LaidOutTensor extends Tensor {
  group: "params" | "state";
  begin: number;
  end: number;
}

/** Params then state, in layer order, packed back to back (PyTorch's state_dict order). */
function layOut(model: Model, bytesPerValue: number): LaidOutTensor[] {
  const out: LaidOutTensor[] = [];
  let offset = 0;
  const push = (t: Tensor, group: "params" | "state") => {
    const end = offset + t.shape.reduce((a, b) => a * b, 1) * bytesPerValue;
    out.push({ name: t.name, shape: t.shape, group, begin: offset, end });
    offset = end;
  };
  for (const layer of model.layers) {
    for (const t of layer.params) push(t, "params");
    for (const t of layer.state) push(t, "state");
  }
  return out;
}

/** The TypeScript source of the weights section of a generated module. */
export function emitSafetensors(model: Model, dtype: Dtype): string {
  const bytesPerValue = dtype === "f32" ? 4 : 8;
  const array = dtype === "f32" ? "Float32Array" : "Float64Array";
  const fileDtype = dtype === "f32" ? "F32" : "F64";
  const tensors = layOut(model, bytesPerValue);
  const rows = tensors
    .map(
      (t) =>
        `  { name: ${JSON.stringify(t.name)}, group: "${t.group}", shape: [${t.shape.join(", ")}], begin: ${t.begin}, end: ${t.end} },`,
    )
    .join("\n");
  return `// ---- Weights: safetensors with PyTorch names (saveParams / loadParams) ----
// Layout: 8-byte little-endian header length N, N bytes of JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__} padded with
// spaces to a multiple of 8, then the raw little-endian data.

/** Every tensor saveParams writes, in order, with its byte range in the data section. */
const weightTensors: readonly {
  name: string;
  group: "params" | "state";
  shape: readonly number[];
  begin: number;
  end: number;
}[] = [
${rows}
];

/** Dtypes loadParams ignores when they name a tensor the model does not have (e.g. num_batches_tracked, I64). */
const weightIgnoredDtypes = ["BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64"];
/** Bytes per value of the safetensors dtypes whose size loadParams checks against data_offsets. */
const weightDtypeBytes: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

/** A shape as the messages write it: [6, 1, 5, 5]. */
function weightShapeText(shape: readonly unknown[]): string {
  return "[" + shape.join(", ") + "]";
}

function weightFormatError(message: string): never {
  throw new Error("loadParams: " + message);
}

/**
 * The model's parameters and state as a safetensors file (${fileDtype}, PyTorch names),
 * loadable with \`safetensors.torch.load_file\` and \`model.load_state_dict\`.
 * \`metadata\` goes into the header's __metadata__ (string values only).
 */
export function saveParams(p: Params, s: State, metadata: Record<string, string> = {}): Uint8Array {
  const groups = { params: p as unknown as Record<string, ${array}>, state: s as unknown as Record<string, ${array}> };
  const header: Record<string, unknown> = {
    __metadata__: { format: "pt", producer: "cnnc", model: ${JSON.stringify(model.name)}, ...metadata },
  };
  for (const t of weightTensors) {
    const values = groups[t.group][t.name];
    const expected = (t.end - t.begin) / ${bytesPerValue};
    if (values === undefined || values.length !== expected) {
      throw new Error(
        \`saveParams: tensor '\${t.name}' has \${values === undefined ? "no array" : values.length + " values"}, expected \${expected} (shape \${weightShapeText(t.shape)})\`,
      );
    }
    header[t.name] = { dtype: "${fileDtype}", shape: t.shape, data_offsets: [t.begin, t.end] };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const dataStart = 8 + headerLength;
  const out = new Uint8Array(dataStart + ${tensors.length === 0 ? 0 : tensors[tensors.length - 1]!.end});
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true); // the u64's high word stays 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, dataStart);
  for (const t of weightTensors) {
    const values = groups[t.group][t.name]!;
    for (let i = 0, at = dataStart + t.begin; i < values.length; i++, at += ${bytesPerValue}) {
      view.set${dtype === "f32" ? "Float32" : "Float64"}(at, values[i]!, true);
    }
  }
  return out;
}

/**
 * Reads a safetensors file into fresh Params and State. Accepts F32 or F64 tensors
 * (converted to ${fileDtype}); ignores extra integer tensors such as PyTorch's
 * num_batches_tracked. Throws an Error naming every missing, extra, mis-shaped or
 * wrongly typed tensor with the expected and the found shape, or the first problem
 * of a malformed or truncated file. \`notes\` lists what was ignored or converted.
 */
export function loadParams(bytes: Uint8Array): {
  params: Params;
  state: State;
  notes: string[];
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) weightFormatError(\`truncated file: \${bytes.length} bytes, shorter than the 8-byte header length\`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    weightFormatError(\`truncated header: it declares \${headerLength} bytes but only \${bytes.length - 8} follow the length\`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    weightFormatError(\`the header is not valid UTF-8 JSON (\${e instanceof Error ? e.message : String(e)})\`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) weightFormatError("the header is not a JSON object");
  const entries = header as Record<string, unknown>;
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const notes: string[] = [];
  const metadata: Record<string, string> = {};
  const rawMetadata = entries["__metadata__"];
  if (typeof rawMetadata === "object" && rawMetadata !== null) {
    for (const [k, v] of Object.entries(rawMetadata)) if (typeof v === "string") metadata[k] = v;
  }

  // Validate every entry of the file, whether or not the model wants it.
  const found = new Map<string, { dtype: string; shape: number[]; begin: number; end: number }>();
  for (const [name, entry] of Object.entries(entries)) {
    if (name === "__metadata__") continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const shape = e?.shape;
    const offsets = e?.data_offsets;
    if (
      typeof e !== "object" || e === null || typeof e.dtype !== "string" ||
      !Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]
    ) {
      weightFormatError(\`tensor '\${name}': the header entry is not {dtype: string, shape: int[], data_offsets: [begin, end]}\`);
    }
    const [begin, end] = offsets as [number, number];
    const dtype = e!.dtype as string;
    if (end > dataLength) {
      weightFormatError(
        \`truncated file: tensor '\${name}' (shape \${weightShapeText(shape as number[])}, \${dtype}) needs data bytes \${begin}..\${end} but the data section has only \${dataLength}\`,
      );
    }
    const itemBytes = weightDtypeBytes[dtype];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (itemBytes !== undefined && count * itemBytes !== end - begin) {
      weightFormatError(
        \`tensor '\${name}': shape \${weightShapeText(shape as number[])} of \${dtype} needs \${count * itemBytes} bytes but data_offsets [\${begin}, \${end}] span \${end - begin}\`,
      );
    }
    found.set(name, { dtype, shape: shape as number[], begin, end });
  }

  const problems: string[] = [];
  const groups: { params: Record<string, ${array}>; state: Record<string, ${array}> } = { params: {}, state: {} };
  const wanted = new Set<string>();
  for (const t of weightTensors) {
    wanted.add(t.name);
    const f = found.get(t.name);
    if (f === undefined) {
      problems.push(\`missing tensor '\${t.name}' (expected shape \${weightShapeText(t.shape)})\`);
      continue;
    }
    const sameShape = f.shape.length === t.shape.length && f.shape.every((d, i) => d === t.shape[i]);
    if (!sameShape) {
      problems.push(
        \`tensor '\${t.name}' has shape \${weightShapeText(f.shape)}, expected \${weightShapeText(t.shape)}\`,
      );
      continue;
    }
    if (f.dtype !== "F32" && f.dtype !== "F64") {
      problems.push(
        \`tensor '\${t.name}' (shape \${weightShapeText(f.shape)}) has dtype \${f.dtype}, expected F32 or F64\`,
      );
      continue;
    }
    const itemBytes = f.dtype === "F32" ? 4 : 8;
    if (f.dtype !== "${fileDtype}") notes.push(\`tensor '\${t.name}': converted \${f.dtype} to ${fileDtype}\`);
    const values = new ${array}((t.end - t.begin) / ${bytesPerValue});
    for (let i = 0, at = dataStart + f.begin; i < values.length; i++, at += itemBytes) {
      values[i] = itemBytes === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    }
    groups[t.group][t.name] = values;
  }
  for (const [name, f] of found) {
    if (wanted.has(name)) continue;
    if (weightIgnoredDtypes.includes(f.dtype)) {
      notes.push(\`ignored tensor '\${name}' (\${f.dtype}, shape \${weightShapeText(f.shape)}): the model has no such tensor\`);
    } else {
      problems.push(
        \`unexpected tensor '\${name}' (\${f.dtype}, shape \${weightShapeText(f.shape)}): model ${model.name} has no such tensor\`,
      );
    }
  }
  if (problems.length > 0) {
    weightFormatError(\`the file does not match model ${model.name}:\\n  \` + problems.join("\\n  "));
  }
  return {
    params: groups.params as unknown as Params,
    state: groups.state as unknown as State,
    notes,
    metadata,
  };
}
`;
}

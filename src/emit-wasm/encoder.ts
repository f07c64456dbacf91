// A small WebAssembly binary encoder: just the sections, types and opcodes the
// wasm target uses (MVP, bulk memory, SIMD128). Writing the binary directly
// keeps `cnnc build` free of a toolchain (see docs/generated-api.md, "The wasm
// target"); the module is checked by WebAssembly.validate in the tests.

export type ValType = "i32" | "f32" | "f64" | "v128";
export const VAL_CODE: { [T in ValType]: number } = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(out: number[], v: number): void {
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function name(out: number[], s: string): void {
  const bytes = Buffer.from(s, "utf8");
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/**
 * Bytes as a list of arrays, concatenated once at the end: a section, and each
 * function body in the code section, is added whole (copying them byte by byte
 * was most of the encoder's time).
 */
class Parts {
  readonly list: number[][] = [];
  length = 0;
  add(bytes: number[]): void {
    this.list.push(bytes);
    this.length += bytes.length;
  }
  /** another Parts, added after a size prefix */
  addSized(prefix: number[], parts: Parts): void {
    uleb(prefix, parts.length);
    this.add(prefix);
    for (const bytes of parts.list) this.add(bytes);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const bytes of this.list) {
      out.set(bytes, at);
      at += bytes.length;
    }
    return out;
  }
}

function section(out: Parts, id: number, body: number[] | Parts): void {
  const parts = body instanceof Parts ? body : new Parts();
  if (!(body instanceof Parts)) parts.add(body);
  out.addSized([id], parts);
}

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface ModuleSpec {
  /** imported functions (module "m"), before the defined ones in the index space */
  imports: { name: string; type: FuncType }[];
  /** the memory, imported as m.memory with this minimum page count */
  memoryMinPages: number;
  functions: { type: FuncType; locals: ValType[]; body: number[]; export?: string }[];
}

const typeKey = (t: FuncType) => `${t.params.join(",")}>${t.results.join(",")}`;

/** The bytes of a module: types, imports (functions and the memory), functions, exports, code. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const types: FuncType[] = [];
  const typeIndex = new Map<string, number>();
  const indexOf = (t: FuncType) => {
    const key = typeKey(t);
    let i = typeIndex.get(key);
    if (i === undefined) {
      i = types.length;
      types.push(t);
      typeIndex.set(key, i);
    }
    return i;
  };
  const importTypes = spec.imports.map((f) => indexOf(f.type));
  const funcTypes = spec.functions.map((f) => indexOf(f.type));

  const out = new Parts();
  out.add([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const typeSec: number[] = [];
  uleb(typeSec, types.length);
  for (const t of types) {
    typeSec.push(0x60);
    uleb(typeSec, t.params.length);
    for (const p of t.params) typeSec.push(VAL_CODE[p]);
    uleb(typeSec, t.results.length);
    for (const r of t.results) typeSec.push(VAL_CODE[r]);
  }
  section(out, 1, typeSec);

  const importSec: number[] = [];
  uleb(importSec, spec.imports.length + 1);
  spec.imports.forEach((f, i) => {
    name(importSec, "m");
    name(importSec, f.name);
    importSec.push(0x00);
    uleb(importSec, importTypes[i]!);
  });
  name(importSec, "m");
  name(importSec, "memory");
  importSec.push(0x02, 0x00);
  uleb(importSec, spec.memoryMinPages);
  section(out, 2, importSec);

  const funcSec: number[] = [];
  uleb(funcSec, funcTypes.length);
  for (const t of funcTypes) uleb(funcSec, t);
  section(out, 3, funcSec);

  const exported = spec.functions.map((f, i) => ({ f, i })).filter((e) => e.f.export !== undefined);
  const exportSec: number[] = [];
  uleb(exportSec, exported.length);
  for (const { f, i } of exported) {
    name(exportSec, f.export!);
    exportSec.push(0x00);
    uleb(exportSec, spec.imports.length + i);
  }
  section(out, 7, exportSec);

  const codeSec = new Parts();
  const count: number[] = [];
  uleb(count, spec.functions.length);
  codeSec.add(count);
  for (const f of spec.functions) {
    const body = new Parts();
    const locals: number[] = [];
    // locals, run-length grouped by type
    const groups: { t: ValType; n: number }[] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last.t === t) last.n++;
      else groups.push({ t, n: 1 });
    }
    uleb(locals, groups.length);
    for (const g of groups) {
      uleb(locals, g.n);
      locals.push(VAL_CODE[g.t]);
    }
    body.add(locals);
    body.add(f.body);
    body.add([0x0b]);
    codeSec.addSized([], body);
  }
  section(out, 10, codeSec);
  return out.bytes();
}

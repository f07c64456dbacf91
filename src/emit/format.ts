// format: TypeScript text → the same program laid out by prettier. Used on
// every emitted module so output is readable and stable. The babel-ts parser
// prints the same bytes as the typescript parser for our output and parses
// about twice as fast (VGG-16's module: 0.5 s instead of 1.1 s).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Options } from "prettier";
import { layoutFunction } from "./layout.ts";
import { splitTopLevel, startsWithBlankLine } from "./top-level.ts";

const OPTIONS: Options = { parser: "babel-ts", printWidth: 100 };

export async function formatTs(text: string): Promise<string> {
  // loaded on first use, not at start-up: commands that format nothing start sooner
  const { format } = await import("prettier");
  return format(text, OPTIONS);
}

// Addressed from the package root so the same URL works from src/emit/format.ts
// and from the bundle dist/cli/main.mjs (both two folders deep).
const WORKER_URL = new URL("../../src/emit/format-worker.mjs", import.meta.url);

interface Reply {
  id: number;
  formatted?: string;
  error?: string;
}

/** A second thread running prettier; it keeps the process alive only while it has work. */
class FormatWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failed: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_URL);
    this.worker.unref();
    this.worker.on("message", (reply: Reply) => {
      const job = this.pending.get(reply.id);
      if (job === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.formatted !== undefined) job.resolve(reply.formatted);
      else job.reject(new Error(`prettier: ${reply.error}`));
    });
    const fail = (error: Error) => {
      this.failed = error;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`the format worker exited with code ${code}`)));
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  format(text: string): Promise<string> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const id = this.nextId++;
    this.worker.ref();
    this.worker.postMessage({ id, text, options: OPTIONS });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}

let worker: FormatWorker | undefined;

/**
 * Starts the format worker now (if this machine has a second core), so that
 * it boots and loads prettier while the caller is still compiling. formatTsAll
 * starts it anyway; calling this first only makes it ready sooner.
 */
export function startFormatWorker(): void {
  if (worker === undefined && availableParallelism() >= 2) worker = new FormatWorker();
}

/** Stops the format worker, if one runs, so that nothing keeps the process alive. */
export async function stopFormatWorker(): Promise<void> {
  const running = worker;
  worker = undefined;
  await running?.terminate();
}

/**
 * Formats several texts, the same bytes as formatTs on each, in a fraction of
 * its time. Prettier is most of `cnnc build`'s time, cold in a fresh process,
 * and lays out each top-level statement on its own (top-level.ts), so: every
 * distinct statement is laid out once (a module and the f64 copy of it inside
 * its gradient-check harness share almost all of theirs, see `withoutDtype`),
 * the plain kernel functions by layout.ts, the rest by prettier (on the
 * worker thread when there is one); then the pieces are joined.
 */
export async function formatTsAll(texts: readonly string[]): Promise<string[]> {
  const split = texts.map((text) => splitTopLevel(text).map((piece) => ({ blankBefore: startsWithBlankLine(piece), ...withoutDtype(piece.trim()) })));
  const keys = [...new Set(split.flat().map((piece) => piece.key))].sort((a, b) => b.length - a.length);
  try {
    const done = new Map<string, string>();
    for (const key of keys) {
      const laid = layoutFunction(key);
      if (laid !== undefined) done.set(key, laid);
    }
    for (const [key, text] of await formatPieces(keys.filter((key) => !done.has(key)))) done.set(key, text);
    return split.map((pieces) =>
      pieces.map((piece, i) => (i > 0 && piece.blankBefore ? "\n" : "") + withDtype(done.get(piece.key)!, piece.dtypes)).join(""),
    );
  } catch {
    // a piece prettier cannot read alone: a text that is not TypeScript (its
    // error is prettier's on the whole text) or a cut in the wrong place
    return Promise.all(texts.map(formatTs));
  }
}

// The float type is all an f32 module's statements and their f64 twins differ
// in. Each spelling of it becomes a placeholder of the same width (so prettier
// lays both out alike), and goes back in, in order, once laid out.
const DTYPE = /\bFloat(?:32|64)Array\b|\bf(?:32|64)\b/g;
const PLACEHOLDER = /\bFloat__Array\b|\bf__\b/g;

function withoutDtype(piece: string): { key: string; dtypes: string[] } {
  const dtypes: string[] = [];
  if (piece.includes("Float__Array") || piece.includes("f__")) return { key: piece, dtypes };
  const key = piece.replace(DTYPE, (dtype) => (dtypes.push(dtype), dtype.length === 12 ? "Float__Array" : "f__"));
  return { key, dtypes };
}

function withDtype(laid: string, dtypes: readonly string[]): string {
  let k = 0;
  const text = dtypes.length === 0 ? laid : laid.replace(PLACEHOLDER, (placeholder) => dtypes[k++] ?? placeholder);
  if (k !== dtypes.length) throw new Error("the float type moved while being laid out");
  return text;
}

/**
 * Formats each piece with prettier: on the worker when there is a second core
 * (it loaded prettier while this thread compiled, and this thread then never
 * pays prettier's cold start: for VGG-16 that measured 0.3–0.4 s less CPU than
 * sharing the pieces, at the same wall time), otherwise here.
 */
async function formatPieces(pieces: readonly string[]): Promise<Map<string, string>> {
  if (pieces.length > 0) startFormatWorker();
  const thread = worker;
  const formatted = await Promise.all(
    // a worker that cannot start (or dies) only costs time: its pieces are formatted here
    pieces.map((piece) => (thread === undefined ? formatTs(piece) : thread.format(piece).catch(() => formatTs(piece)))),
  );
  return new Map(pieces.map((piece, i) => [piece, formatted[i]!]));
}

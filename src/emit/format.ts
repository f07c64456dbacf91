// format: TypeScript text → the same program laid out by prettier. Used on
// every emitted module so output is readable and stable. The babel-ts parser
// prints the same bytes as the typescript parser for our output and parses
// about twice as fast (VGG-16's module: 0.5 s instead of 1.1 s).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Options } from "prettier";

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
 * Formats several texts, the same bytes as formatTs on each. With two or more
 * cores the second half goes to a worker thread while this thread formats the
 * first half: prettier is cold in a fresh process and most of `cnnc build`'s
 * time, and two files take about the time of one.
 */
export async function formatTsAll(texts: readonly string[]): Promise<string[]> {
  if (texts.length >= 2) startFormatWorker();
  if (worker === undefined) return Promise.all(texts.map(formatTs));
  const half = Math.ceil(texts.length / 2);
  // a worker that cannot start (or dies) only costs time: its texts are formatted here
  const away = texts.slice(half).map((text) => worker!.format(text).catch(() => formatTs(text)));
  const here: string[] = [];
  for (const text of texts.slice(0, half)) here.push(await formatTs(text));
  return [...here, ...(await Promise.all(away))];
}

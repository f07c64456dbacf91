// A minimal LSP client for tests: spawns `bin/cnnc lsp` and speaks JSON-RPC
// with Content-Length framing over its stdin/stdout, as an editor does. Keeps
// a transcript of every message in both directions.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/cnnc", import.meta.url));

export interface Message {
  jsonrpc: "2.0";
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  readonly transcript: { dir: "→" | "←"; message: Message }[] = [];
  readonly stderr: string[] = [];
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private readonly notifications: Message[] = [];
  private readonly waiters: { method: string; test: (p: unknown) => boolean; resolve: (m: Message) => void }[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    proc.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
  }

  /** Runs `cnnc lsp --stdio`: bin/cnnc on the sources, or the `main()` of a CLI bundle. */
  static start(env: Record<string, string> = {}, bundle?: string): LspClient {
    const launch = bundle === undefined ? [BIN] : ["--input-type=module", "-e", "await (await import(process.argv[1])).main();", bundle];
    return new LspClient(spawn(process.execPath, [...launch, "lsp", "--stdio"], { env: { ...process.env, ...env }, stdio: "pipe" }));
  }

  private send(message: Message): void {
    this.transcript.push({ dir: "→", message });
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8")) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.transcript.push({ dir: "←", message });
      if (message.id !== undefined && message.method === undefined) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      } else if (message.method !== undefined && message.id !== undefined) {
        this.send({ jsonrpc: "2.0", id: message.id, result: null }); // server → client requests (refresh)
      } else if (message.method !== undefined) {
        const i = this.waiters.findIndex((w) => w.method === message.method && w.test(message.params));
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(message);
        else this.notifications.push(message);
      }
    }
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (m) => (m.error !== undefined ? reject(new Error(m.error.message)) : resolve(m.result as T)));
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  /** The next notification `method` whose params pass `test` (an earlier unclaimed one counts). */
  waitFor<P>(method: string, test: (p: P) => boolean = () => true, timeoutMs = 20_000): Promise<P> {
    const i = this.notifications.findIndex((m) => m.method === method && test(m.params as P));
    if (i >= 0) return Promise.resolve(this.notifications.splice(i, 1)[0].params as P);
    return new Promise<P>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms; stderr: ${this.stderr.join("")}`)), timeoutMs);
      this.waiters.push({
        method,
        test: (p) => test(p as P),
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m.params as P);
        },
      });
    });
  }

  /** Drops the notifications received so far. */
  clearNotifications(): void {
    this.notifications.length = 0;
  }
}

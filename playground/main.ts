// The playground page: a CodeMirror 6 editor on the left; diagnostics, the
// summary table, the drawing, the generated TypeScript and a "run" button on
// the right. The compiler runs in a Web Worker (worker.ts). The model lives in
// the URL hash as `#code=` + base64url(UTF-8), so a link shares it.
/// <reference lib="dom" />
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState, StateEffect, StateField, type Range } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, keymap, lineNumbers, WidgetType } from "@codemirror/view";
import { cnnLanguage } from "./cnn-language.ts";
import type { Analysed, Reply, Request } from "./protocol.ts";
import type { ShapeHint } from "../src/lsp/hints.ts";

declare const EXAMPLES: Record<string, string>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// --- the model in the URL -------------------------------------------------

export function encodeCode(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCode(code: string): string | undefined {
  try {
    const bin = atob(code.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function codeFromHash(): string | undefined {
  const m = /(?:^#|&)code=([A-Za-z0-9_-]*)/.exec(location.hash);
  return m === null ? undefined : decodeCode(m[1]);
}

// --- shape hints as widgets at the end of lines ----------------------------

class HintWidget extends WidgetType {
  constructor(
    readonly label: string,
    readonly kind: ShapeHint["kind"],
  ) {
    super();
  }
  eq(other: HintWidget): boolean {
    return other.label === this.label && other.kind === this.kind;
  }
  toDOM(): HTMLElement {
    const span = document.createElement("span");
    span.className = `cnn-hint cnn-hint-${this.kind}`;
    span.textContent = this.label;
    return span;
  }
}

const setHints = StateEffect.define<ShapeHint[]>();
const hintField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(hints, tr) {
    hints = hints.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setHints)) continue;
      const length = tr.state.doc.length;
      const ranges: Range<Decoration>[] = e.value
        .filter((h) => h.offset <= length)
        .map((h) => Decoration.widget({ widget: new HintWidget(h.label, h.kind), side: 1 }).range(h.offset));
      hints = Decoration.set(ranges, true);
    }
    return hints;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// --- the worker --------------------------------------------------------------

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let nextId = 1;
let analysedId = 0;
let lastAnalysis: Analysed | undefined;
const waiting = new Map<number, (r: Reply) => void>();

/** A request without its id (which `ask` assigns). */
type RequestBody = { [K in Request["kind"]]: Omit<Extract<Request, { kind: K }>, "id"> }[Request["kind"]];

function ask(req: RequestBody): Promise<Reply> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ ...req, id } as Request);
  });
}

worker.onmessage = (e: MessageEvent<Reply>) => {
  waiting.get(e.data.id)?.(e.data);
  waiting.delete(e.data.id);
};

// --- the page ----------------------------------------------------------------

let timer: ReturnType<typeof setTimeout> | undefined;
const view = new EditorView({
  parent: $("editor"),
  state: EditorState.create({
    doc: codeFromHash() ?? EXAMPLES["lenet5.cnn"] ?? "",
    extensions: [
      lineNumbers(),
      history(),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      cnnLanguage,
      syntaxHighlighting(defaultHighlightStyle),
      lintGutter(),
      hintField,
      EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        clearTimeout(timer);
        timer = setTimeout(refresh, 150);
      }),
    ],
  }),
});

function setStatus(text: string, ok: boolean): void {
  const s = $("status");
  s.textContent = text;
  s.className = ok ? "ok" : "bad";
}

function showDiagnostics(a: Analysed): void {
  const length = view.state.doc.length;
  const diagnostics: Diagnostic[] = a.diagnostics.map((d) => ({
    from: Math.min(d.from, length),
    to: Math.min(d.to, length),
    severity: d.severity,
    source: d.code,
    message: d.message,
  }));
  view.dispatch(setDiagnostics(view.state, diagnostics), { effects: setHints.of(a.hints) });
  const list = $("problems");
  list.replaceChildren(
    ...a.diagnostics.map((d) => {
      const li = document.createElement("li");
      li.className = d.severity;
      li.textContent = `${d.file !== undefined ? `${d.file}:` : ""}${d.line}:${d.column} ${d.severity}[${d.code}]: ${d.message}`;
      li.onclick = () => view.dispatch({ selection: { anchor: Math.min(d.from, view.state.doc.length) }, scrollIntoView: true });
      return li;
    }),
  );
  const errors = a.diagnostics.filter((d) => d.severity === "error").length;
  setStatus(errors === 0 ? `ok: ${a.checked.join(", ") || "no model"}` : `${errors} error${errors === 1 ? "" : "s"}`, errors === 0);
}

function showDrawing(svg: string): void {
  const img = $<HTMLImageElement>("drawing");
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  img.src = svg === "" ? "" : URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
}

function selectedModel(a: Analysed): string | undefined {
  const select = $<HTMLSelectElement>("model");
  const keep = select.value;
  select.replaceChildren(...a.checked.map((name) => new Option(name, name)));
  if (a.checked.includes(keep)) select.value = keep;
  return a.checked.length > 0 ? select.value : undefined;
}

async function refresh(): Promise<void> {
  const text = view.state.doc.toString();
  window.history.replaceState(null, "", `#code=${encodeCode(text)}`);
  const reply = await ask({ kind: "analyze", text });
  if (reply.kind !== "analyzed" || reply.id < analysedId) return;
  analysedId = reply.id;
  lastAnalysis = reply;
  showDiagnostics(reply);
  $("summary").textContent = reply.summary;
  showDrawing(reply.svg);
  const model = selectedModel(reply);
  $<HTMLButtonElement>("run").disabled = model === undefined;
  await showGenerated(text, model);
}

/** The generated TypeScript, made only while its panel is open (a zoo model's module is a megabyte to format). */
async function showGenerated(text: string, model: string | undefined): Promise<void> {
  if (model === undefined) {
    $("ts").textContent = "(no model checks yet)";
    return;
  }
  if (!$<HTMLDetailsElement>("generated").open) {
    $("ts").textContent = "";
    return;
  }
  $("ts").textContent = `generating ${model}…`;
  const generated = await ask({ kind: "generate", text, model });
  if (generated.kind === "generated" && text === view.state.doc.toString()) $("ts").textContent = generated.ts;
}

async function run(): Promise<void> {
  const model = lastAnalysis !== undefined ? selectedModel(lastAnalysis) : undefined;
  if (model === undefined) return;
  const out = $("result");
  out.textContent = `building and running ${model}…`;
  const batch = Number($<HTMLInputElement>("batch").value) || 8;
  const r = await ask({ kind: "run", text: view.state.doc.toString(), model, batch });
  if (r.kind === "failed") {
    out.textContent = `run failed: ${r.message}`;
    out.className = "bad";
    return;
  }
  if (r.kind !== "ran") return;
  out.className = "ok";
  out.textContent = [
    `${r.model}, batch ${r.batch}, output [${r.outputShape.join(", ")}] per sample`,
    `module built in ${r.buildMs.toFixed(1)} ms`,
    `forward: ${r.forwardMs.toFixed(2)} ms`,
    `training step: ${r.stepMs.toFixed(2)} ms${r.loss !== undefined ? ` (loss ${r.loss.toFixed(4)} on random data)` : " (backward)"}`,
  ].join("\n");
}

function loadText(text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  void refresh();
}

// the examples by name, then the zoo's models (keys "zoo/<file>") in their own group
const examples = $<HTMLSelectElement>("examples");
const zoo = document.createElement("optgroup");
zoo.label = "model zoo";
for (const name of Object.keys(EXAMPLES)) {
  if (name.startsWith("zoo/")) zoo.append(new Option(name.slice("zoo/".length), name));
  else examples.append(new Option(name, name));
}
if (zoo.children.length > 0) examples.append(zoo);
examples.onchange = () => {
  if (examples.value !== "") loadText(EXAMPLES[examples.value]);
};
$("run").onclick = () => void run();
$("model").onchange = () => void refresh();
$("generated").addEventListener("toggle", () => {
  const text = view.state.doc.toString();
  if (lastAnalysis !== undefined) void showGenerated(text, selectedModel(lastAnalysis));
});
window.addEventListener("hashchange", () => {
  const text = codeFromHash();
  if (text !== undefined && text !== view.state.doc.toString()) loadText(text);
});
void refresh();

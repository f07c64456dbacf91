// `cnnc lsp`: the Language Server Protocol server (docs/cli.md#cnnc-lsp). It
// keeps each open document's text (incremental sync), analyses it after a pause
// in typing and publishes its diagnostics; every request answers from an
// analysis of the document's current version, made on the spot if the pause
// has not ended yet. The features themselves are pure functions of an analysis
// (src/lsp/*.ts), shared with the playground.
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type CodeAction,
  type CompletionItem,
  type Connection,
  type DocumentSymbol,
  type InitializeResult,
  type Location,
  type Position,
  type Range,
  type TextEdit,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver";
import { createConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../diagnostics.ts";
import { formatSource } from "../format/format.ts";
import { fixEdits } from "./actions.ts";
import { analyze, type Analysis } from "./analysis.ts";
import type { ReadImport } from "../pipeline.ts";
import { readImport } from "../cli/sources.ts";
import { complete, type CompletionKind } from "./completion.ts";
import { toLspDiagnostic, toRange, type DiagnosticData } from "./convert.ts";
import { inlayHints } from "./hints.ts";
import { hover } from "./hover.ts";
import type { SymbolDef } from "./symbols.ts";
import { definitionAt } from "./definition.ts";

/** Analysis waits for this pause in typing (ms) unless the client sets `initializationOptions.debounceMs`. */
export const DEFAULT_DEBOUNCE_MS = 50;

/** LSP CompletionItemKind per kind of completion. */
const COMPLETION_KIND: Record<CompletionKind, CompletionItem["kind"]> = {
  op: 3, // Function
  loss: 3,
  keyword: 14, // Keyword
  argument: 10, // Property
  value: 12, // Value
  label: 18, // Reference
  block: 7, // Class
};

/** LSP SymbolKind per symbol. */
const SYMBOL_KIND: Record<SymbolDef["kind"], DocumentSymbol["kind"]> = { model: 5, block: 5, layer: 12, repeat: 3, branch: 3 }; // Class, Function, Namespace

/** The file name diagnostics and spans use for a document: its path for file: URIs, else the URI. */
export function fileOf(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

export function runServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  /** per document, the latest analysis whose text parsed into models (completion reads its symbols while the text is broken) */
  const parsed = new Map<string, Analysis>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** per document, how long its last analysis took (ms) */
  const cost = new Map<string, number>();
  let debounceMs = DEFAULT_DEBOUNCE_MS;
  let refreshHints = false;

  const uriOf = (doc: TextDocument) => (file: string) => (file === fileOf(doc.uri) ? doc.uri : pathToFileURL(file).href);

  /**
   * Offsets of the analysed text ↔ the editor's positions, by the editor's own
   * line rules (a lone CR ends a line there); the analysed text has no leading BOM.
   */
  const coords = (doc: TextDocument) => {
    const bom = doc.getText({ start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }) === "\uFEFF" ? 1 : 0;
    const position = (offset: number): Position => doc.positionAt(offset + bom);
    return {
      position,
      offset: (p: Position): number => Math.max(0, doc.offsetAt(p) - bom),
      range: (s: Span): Range => (s.file === fileOf(doc.uri) ? { start: position(s.start), end: position(s.end) } : toRange(s)),
    };
  };

  /** The analysis of the document's current text. */
  const current = (doc: TextDocument): Analysis => {
    const known = analyses.get(doc.uri);
    if (known !== undefined && known.version === doc.version) return known.analysis;
    const t0 = performance.now();
    const analysis = analyze(doc.getText(), fileOf(doc.uri), readOpenOrDisk);
    cost.set(doc.uri, performance.now() - t0);
    analyses.set(doc.uri, { version: doc.version, analysis });
    if (analysis.symbols.defs.length > 0) parsed.set(doc.uri, analysis);
    return analysis;
  };

  const published = new Map<string, number>();
  const ignore = (): void => undefined;

  /** Imported files: the editor's text when the file is open (unsaved edits count), else the disk. */
  const readOpenOrDisk: ReadImport = (path) => {
    const open = documents.all().find((d) => fileOf(d.uri) === path);
    return open !== undefined ? { bytes: open.getText() } : readImport(path);
  };

  const publish = (uri: string): void => {
    timers.delete(uri);
    const doc = documents.get(uri);
    if (doc === undefined || published.get(uri) === doc.version) return;
    published.set(uri, doc.version);
    try {
      const analysis = current(doc);
      // each diagnostic goes to the file it is in: an error inside an imported block file is shown there
      const byUri = new Map<string, ReturnType<typeof toLspDiagnostic>[]>([[uri, []]]);
      for (const d of analysis.result.diagnostics) {
        const target = uriOf(doc)(d.span.file);
        const list = byUri.get(target) ?? [];
        list.push(toLspDiagnostic(d, uriOf(doc), coords(doc).range));
        byUri.set(target, list);
      }
      // a client that has gone away rejects these; that must not end the server
      for (const [target, diagnostics] of byUri) {
        connection.sendDiagnostics(target === uri ? { uri, version: doc.version, diagnostics } : { uri: target, diagnostics }).catch(ignore);
      }
      if (refreshHints) connection.languages.inlayHint.refresh().catch(ignore);
    } catch (error) {
      // a compiler bug (bad input never throws): report it and keep serving the other documents
      connection.console.error(`cnnc: internal error while checking ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };

  /**
   * After a change, wait for a pause in typing at least as long as the last
   * analysis took (up to a second): on a huge file each analysis blocks the
   * server, so analysing every short pause would only queue the keystrokes.
   */
  const schedule = (uri: string): void => {
    clearTimeout(timers.get(uri));
    const pause = debounceMs === 0 ? 0 : Math.max(debounceMs, Math.min(cost.get(uri) ?? 0, 1000));
    timers.set(uri, setTimeout(() => publish(uri), pause));
  };

  connection.onInitialize((params): InitializeResult => {
    const options = params.initializationOptions as { debounceMs?: unknown } | undefined;
    if (typeof options?.debounceMs === "number" && options.debounceMs >= 0) debounceMs = options.debounceMs;
    refreshHints = params.capabilities?.workspace?.inlayHint?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ["(", ",", "=", ":", "@", " "] },
        definitionProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ["quickfix"] },
        inlayHintProvider: true,
      },
      serverInfo: { name: "cnnc" },
    };
  });

  documents.onDidOpen((e) => publish(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    analyses.delete(e.document.uri);
    parsed.delete(e.document.uri);
    published.delete(e.document.uri);
    cost.delete(e.document.uri);
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }).catch(ignore);
  });

  const withDoc = <T,>(uri: string, answer: (doc: TextDocument, a: Analysis) => T, none: T): T => {
    const doc = documents.get(uri);
    return doc === undefined ? none : answer(doc, current(doc));
  };

  connection.onHover((p) =>
    withDoc(
      p.textDocument.uri,
      (doc, a) => {
        const c = coords(doc);
        const h = hover(a, c.offset(p.position));
        if (h === undefined) return null;
        return { contents: { kind: "markdown", value: h.markdown }, range: { start: c.position(h.start), end: c.position(h.end) } };
      },
      null,
    ),
  );

  connection.languages.inlayHint.on((p) =>
    withDoc(
      p.textDocument.uri,
      (doc, a) => {
        const c = coords(doc);
        return inlayHints(a, c.offset(p.range.start), c.offset(p.range.end), c.position);
      },
      [],
    ),
  );

  connection.onCompletion((p) =>
    withDoc(
      p.textDocument.uri,
      (doc, a) =>
        complete(a.symbols.defs.length > 0 ? a : parsed.get(doc.uri), a.text, coords(doc).offset(p.position)).map(
          (c, i): CompletionItem => ({
            label: c.label,
            kind: COMPLETION_KIND[c.kind],
            sortText: String(i).padStart(4, "0"),
            ...(c.detail !== undefined ? { detail: c.detail } : {}),
            ...(c.documentation !== undefined ? { documentation: { kind: "markdown", value: c.documentation } } : {}),
            ...(c.insertText !== undefined ? { insertText: c.insertText } : {}),
          }),
        ),
      [],
    ),
  );

  connection.onDefinition((p) =>
    withDoc(
      p.textDocument.uri,
      (doc, a): Location | null => {
        const c = coords(doc);
        const offset = c.offset(p.position);
        const target = definitionAt(a, offset);
        return target === undefined ? null : { uri: uriOf(doc)(target.file), range: c.range(target) };
      },
      null,
    ),
  );

  connection.onDocumentSymbol((p) =>
    withDoc(
      p.textDocument.uri,
      (doc, a) => {
        const c = coords(doc);
        const convert = (d: SymbolDef): DocumentSymbol => ({
          name: d.name,
          detail: d.detail,
          kind: SYMBOL_KIND[d.kind],
          range: c.range(d.span),
          selectionRange: c.range(d.nameSpan),
          children: d.children.map(convert),
        });
        return a.symbols.defs.map(convert);
      },
      [],
    ),
  );

  connection.onDocumentFormatting((p) =>
    withDoc(
      p.textDocument.uri,
      (doc): TextEdit[] => {
        const text = doc.getText();
        const formatted = formatSource(text, fileOf(doc.uri)).text;
        if (formatted === undefined || formatted === text) return [];
        return [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: formatted }];
      },
      [],
    ),
  );

  connection.onCodeAction((p) =>
    withDoc(
      p.textDocument.uri,
      (doc, a) => {
        const c = coords(doc);
        const actions: CodeAction[] = [];
        for (const d of p.context.diagnostics) {
          const fix = (d.data as DiagnosticData | undefined)?.fix;
          if (fix === undefined) continue;
          const at = c.offset(d.range.start);
          const span = a.result.diagnostics.find((x) => x.span.start === at && x.code === d.code)?.span;
          const edits = span !== undefined ? fixEdits(a, fix, span) : undefined;
          if (edits === undefined) continue;
          actions.push({
            title: fix.title,
            kind: "quickfix",
            diagnostics: [d],
            isPreferred: true,
            edit: { changes: { [doc.uri]: edits.map((e) => ({ range: { start: c.position(e.start), end: c.position(e.end) }, newText: e.text })) } },
          });
        }
        return actions;
      },
      [],
    ),
  );

  documents.listen(connection);
  connection.listen();
}

/** Serves LSP over stdin/stdout until the client says exit (or closes the pipe). */
export function serveStdio(): void {
  // stdout carries the protocol: anything else printed there would corrupt it
  console.log = console.info = (...args: unknown[]) => process.stderr.write(args.map(String).join(" ") + "\n");
  runServer(createConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)));
}

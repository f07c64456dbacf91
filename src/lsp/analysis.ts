// One analysis of an editor's text: the compiler's result plus the indexes the
// editor features (src/lsp/*, the playground) read. Pure and synchronous:
// `cnnc lsp` runs it after a pause in typing, the playground in a Web Worker.
import type { Span } from "../diagnostics.ts";
import type { Layer, Model, PartialModel, Scope } from "../ir.ts";
import { compile, type CompileResult, type ReadImport } from "../pipeline.ts";
import { LineMap } from "../source.ts";
import { buildSymbols, type SymbolTable } from "./symbols.ts";

export interface LayerGroup {
  model: Model | PartialModel;
  /** the IR layers one statement wrote: one, or one per copy of the enclosing repeats */
  layers: Layer[];
}

/** One expansion of a block instance or a seq: its layers and the value it yields. */
export interface Instance {
  scope: Scope;
  /** its layers (nested ones included), in order */
  layers: Layer[];
  /** the one-sample shape it yields; undefined when that layer did not check */
  output: number[] | undefined;
}

export interface InstanceGroup {
  model: Model | PartialModel;
  /** one, or one per copy of the enclosing repeats and per instance of an enclosing block */
  instances: Instance[];
}

export interface Analysis {
  file: string;
  text: string;
  lines: LineMap;
  result: CompileResult;
  /** checked and failing models in source order */
  models: (Model | PartialModel)[];
  symbols: SymbolTable;
  /** IR layers by the start offset of the statement that wrote them */
  layersAt: Map<number, LayerGroup>;
  /** block instances and seqs of this file by the start offset of their statement */
  instancesAt: Map<number, InstanceGroup>;
}

/** `read` supplies imported files (the server: open documents, then the disk); without it an import is an error. */
export function analyze(text: string, file: string, read?: ReadImport): Analysis {
  const result = compile(text, file, read);
  const models = [...result.models, ...result.partial].sort((a, b) => a.span.start - b.span.start);
  const layersAt = new Map<number, LayerGroup>();
  const instancesAt = new Map<number, InstanceGroup>();
  for (const model of models) {
    const byId = new Map<number, Instance>();
    for (const layer of model.layers) {
      for (const scope of layer.scope ?? []) {
        if (scope.span?.file !== file) continue;
        const known = byId.get(scope.id);
        if (known !== undefined) {
          known.layers.push(layer);
          continue;
        }
        const out = scope.output ?? model.layers.length;
        const instance: Instance = { scope, layers: [layer], output: out === -1 ? model.input : model.layers[out]?.output };
        byId.set(scope.id, instance);
        const group = instancesAt.get(scope.span.start);
        if (group !== undefined) group.instances.push(instance);
        else instancesAt.set(scope.span.start, { model, instances: [instance] });
      }
      // a layer of an imported block has offsets in that file, which must not land on this file's statements
      if (layer.span.file !== file) continue;
      const group = layersAt.get(layer.span.start);
      if (group !== undefined) group.layers.push(layer);
      else layersAt.set(layer.span.start, { model, layers: [layer] });
    }
  }
  // spans index the decoded text, which has no leading BOM
  const decoded = text.startsWith("\uFEFF") ? text.slice(1) : text;
  return { file, text: decoded, lines: new LineMap(decoded), result, models, symbols: buildSymbols(result.ast, models), layersAt, instancesAt };
}

/** Whether a span holds an offset (both ends included, so a cursor just after a name still counts). */
export function spanHolds(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** Whether a model checked (it is not a partial one). */
export function isChecked(m: Model | PartialModel): m is Model {
  return "output" in m;
}

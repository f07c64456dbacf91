// Public programmatic API: compile a .cnn source and read its checked IR and diagnostics.
export { compile, type CompileResult } from "./pipeline.ts";
export type { Diagnostic, Span, Label, Severity } from "./diagnostics.ts";
export { ModelSchema, LayerSchema, type Model, type Layer, type PartialModel, type LayerArgs } from "./ir.ts";
export { codes, type Code, type CodeInfo } from "./codes/index.ts";

// Completion from the tokens before the cursor (the text being typed rarely
// parses): op names (and block names, when the language has them) where a
// statement starts, argument names with their defaults inside an op's
// parentheses, values after `name=`, losses after `loss`, modes after
// `rounding`, and labels after `@` (the graph language's references).
import type { IToken } from "chevrotain";
import { cnnLexer, Colon, Comma, Equals, Ident, LCurly, Loss, LParen, Model, RCurly, Rounding, RParen, Semicolon } from "../../grammar/tokens.ts";
import { losses, ops } from "../ops/index.ts";
import { ROUNDINGS, type ArgSpec } from "../ops/op.ts";
import type { Analysis } from "./analysis.ts";
import { argSignature, argValueText, signatureMarkdown, signatureOf } from "./docs.ts";

export type CompletionKind = "op" | "loss" | "keyword" | "argument" | "value" | "label" | "block";

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** markdown */
  documentation?: string;
  insertText?: string;
}

const BODY_KEYWORDS = ["input", "rounding", "repeat", "loss"];

/** Values an argument of this kind can take when written as a word. */
function valueWords(spec: ArgSpec): string[] {
  const t = spec.type;
  if (t.kind === "bool") return ["true", "false"];
  if (t.kind === "enum") return [...t.values];
  if (t.kind === "pad") return t.same ? ["same", "valid"] : ["valid"];
  return [];
}

function opEntries(callables: readonly string[]): CompletionEntry[] {
  const entries: CompletionEntry[] = Object.values(ops).map((def) => ({
    label: def.name,
    kind: "op",
    detail: def.args.length === 0 ? def.name : `${def.name}(${def.args.map(argSignature).join(", ")})`,
    documentation: signatureMarkdown(def),
  }));
  return [...entries, ...callables.map((name): CompletionEntry => ({ label: name, kind: "block" }))];
}

/** The significant tokens of `text`, and whether `text` ends inside a comment. */
function tokensOf(text: string): { tokens: IToken[]; inComment: boolean } {
  const lexed = cnnLexer.tokenize(text);
  const last = lexed.groups.comments?.at(-1);
  const inComment = last !== undefined && last.startOffset + last.image.length >= text.length && !last.image.includes("\n");
  return { tokens: lexed.tokens, inComment };
}

/** The `(` of the argument list holding the end of `tokens` (and whether the end is inside a tuple in it); undefined outside one. */
function argListOpen(tokens: readonly IToken[]): { open: number; inTuple: boolean } | undefined {
  let depth = 0;
  let inTuple = false;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i].tokenType;
    if (t === RParen) depth++;
    else if (t === LParen) {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (tokens[i - 1]?.tokenType === Ident) return { open: i, inTuple };
      inTuple = true; // an open tuple: the argument list is further out
    } else if (t === LCurly || t === RCurly || t === Semicolon) return undefined;
  }
  return undefined;
}

function argumentEntries(tokens: readonly IToken[], open: number): CompletionEntry[] {
  const op = tokens[open - 1].image;
  const sig = signatureOf(op, tokens[open - 2]?.tokenType === Loss);
  if (sig === undefined) return [];
  const last = tokens[tokens.length - 1];
  if (last.tokenType === Equals) {
    const spec = sig.args.find((a) => a.name === tokens[tokens.length - 2]?.image);
    return spec === undefined ? [] : valueWords(spec).map((v) => ({ label: v, kind: "value", detail: spec.doc }));
  }
  if (last.tokenType !== LParen && last.tokenType !== Comma) return [];
  const given = new Set<string>();
  for (let i = open + 1; i < tokens.length - 1; i++) if (tokens[i + 1].tokenType === Equals) given.add(tokens[i].image);
  if (open + 1 < tokens.length - 1 && tokens[open + 2]?.tokenType !== Equals && sig.primary !== undefined) given.add(sig.primary);
  return sig.args
    .filter((a) => !given.has(a.name))
    .map((a) => ({
      label: a.name,
      kind: "argument",
      detail: a.default !== undefined ? `= ${argValueText(a.default)}` : a.optional === true ? "optional" : "required",
      documentation: a.doc,
      insertText: `${a.name}=`,
    }));
}

/** The name of the model whose braces hold the end of `tokens`. */
function enclosingModel(tokens: readonly IToken[]): string | undefined {
  let depth = 0;
  let name: string | undefined;
  tokens.forEach((t, i) => {
    if (t.tokenType === LCurly) {
      if (depth === 0) name = tokens[i - 2]?.tokenType === Model ? tokens[i - 1].image : undefined;
      depth++;
    } else if (t.tokenType === RCurly) depth = Math.max(0, depth - 1);
  });
  return depth > 0 ? name : undefined;
}

/**
 * Completions at `offset` of `text`. `a` is the latest analysis of the document
 * that parsed (for labels and block names): the text being typed often does not.
 */
export function complete(a: Analysis | undefined, text: string, offset: number): CompletionEntry[] {
  const prefix = text.slice(0, offset);
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(prefix)?.[0] ?? "";
  const wordStart = offset - word.length;
  const { tokens, inComment } = tokensOf(prefix.slice(0, wordStart));
  if (inComment) return [];
  if (prefix[wordStart - 1] === "@") {
    const model = enclosingModel(tokens);
    const names = model !== undefined ? (a?.symbols.labels.get(model) ?? []) : [];
    return names.map((label) => ({ label, kind: "label" }));
  }
  const list = argListOpen(tokens);
  if (list !== undefined) return list.inTuple ? [] : argumentEntries(tokens, list.open);

  const last = tokens.at(-1);
  if (last?.tokenType === Loss) {
    return Object.values(losses).map((def) => ({ label: def.name, kind: "loss", documentation: signatureMarkdown(def) }));
  }
  if (last?.tokenType === Rounding) return ROUNDINGS.map((r) => ({ label: r, kind: "value" }));
  if (last?.tokenType === Model) return [];
  let depth = 0;
  for (const t of tokens) depth += t.tokenType === LCurly ? 1 : t.tokenType === RCurly ? -1 : 0;
  if (depth <= 0) return [{ label: "model", kind: "keyword", insertText: "model " }];
  const lineStart = prefix.lastIndexOf("\n", wordStart - 1) + 1;
  const statementStart =
    last === undefined ||
    last.startOffset < lineStart ||
    last.tokenType === LCurly ||
    last.tokenType === RCurly ||
    last.tokenType === Semicolon ||
    last.tokenType === Colon;
  if (!statementStart) return [];
  const callables = a?.symbols.callables ?? [];
  if (last?.tokenType === Colon) return opEntries(callables);
  return [...opEntries(callables), ...BODY_KEYWORDS.map((k): CompletionEntry => ({ label: k, kind: "keyword" }))];
}

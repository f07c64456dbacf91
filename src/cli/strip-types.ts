// Generated TypeScript → JavaScript that plain `node` runs, for `cnnc gradcheck`
// (Node 20 cannot run .ts files, and the installed package carries no TypeScript
// loader). The generated code uses only erasable syntax (docs/generated-api.md),
// so the types are replaced by spaces, as Node's own type stripping does: the
// code that remains is byte for byte what was written, on the same lines and
// columns. The parser is prettier's babel-ts, which cnnc ships anyway.
// TypeScript that cannot be erased (an enum, a namespace) is an internal error.
import type * as Babel from "prettier/plugins/babel";

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Declarations that exist only for the type checker: erased whole (with their `export`). */
const TYPE_ONLY = new Set(["TSTypeAliasDeclaration", "TSInterfaceDeclaration", "TSDeclareFunction"]);
/** Type syntax inside code: erased whole. */
const ANNOTATIONS = new Set(["TSTypeAnnotation", "TSTypeParameterInstantiation", "TSTypeParameterDeclaration"]);
/** `x as T`, `x satisfies T`, `x!`: the expression stays, the rest goes. */
const AFTER_EXPRESSION = new Set(["TSAsExpression", "TSSatisfiesExpression", "TSNonNullExpression"]);

const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && typeof (value as Node).type === "string" && typeof (value as Node).start === "number";

export async function stripTypes(text: string): Promise<string> {
  // loaded here, not at start-up: every other command would pay for it
  const babel: typeof Babel = await import("prettier/plugins/babel");
  const ast = (await babel.parsers["babel-ts"].parse(text, {} as never)) as Node;
  const erase: Array<[number, number]> = [];
  const visit = (node: Node): void => {
    const declaration = node.declaration;
    if (
      (node.type === "ExportNamedDeclaration" && (node.exportKind === "type" || (isNode(declaration) && TYPE_ONLY.has(declaration.type)))) ||
      (node.type === "ImportDeclaration" && node.importKind === "type") ||
      TYPE_ONLY.has(node.type) ||
      ANNOTATIONS.has(node.type)
    ) {
      erase.push([node.start, node.end]);
      return;
    }
    if (AFTER_EXPRESSION.has(node.type)) {
      erase.push([(node.expression as Node).end, node.end]);
      visit(node.expression as Node);
      return;
    }
    if (node.type.startsWith("TS")) throw new Error(`cannot erase the TypeScript ${node.type} at offset ${node.start}`);
    if (node.optional === true && node.type === "Identifier") {
      // `x?: T`: the question mark sits between the name and its annotation
      const mark = text.indexOf("?", node.start + String(node.name).length);
      if (mark >= 0 && mark < node.end) erase.push([mark, mark + 1]);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "loc" || key === "comments" || key === "leadingComments" || key === "trailingComments" || key === "innerComments") continue;
      for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) visit(child);
    }
  };
  visit(ast);
  const out = text.split("");
  for (const [from, to] of erase) for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  return out.join("");
}

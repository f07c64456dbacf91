// format: TypeScript text → the same program laid out by prettier (typescript
// parser). Used on every emitted module so output is readable and stable.
import { format } from "prettier";

export async function formatTs(text: string): Promise<string> {
  return format(text, { parser: "typescript", printWidth: 100 });
}

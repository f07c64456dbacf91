// User text (labels, source lines, diagnostics) inside the element content or
// an attribute value of a generated SVG: markup characters become entities, and
// characters XML 1.0 forbids or that would reorder the text become visible
// escapes (invisible.ts), so the document always parses and no text adds markup.
import { escapeInvisible } from "./invisible.ts";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export function xmlText(text: string): string {
  return escapeInvisible(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

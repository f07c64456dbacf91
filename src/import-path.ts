// Where an `import "path"` points: the path relative to the importing file's
// folder, normalised so that one file reached two ways is read once. Plain
// string work on '/'-separated paths (no node:path), so the compiler also runs
// in a browser (the playground) and never touches a file system itself.

/** `a/b/../c/./d.cnn` → `a/c/d.cnn`; leading `..` of a relative path are kept. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (part !== ".." || !absolute) out.push(part);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined === "" ? "." : joined;
}

/** The imported file's path: `imported` resolved against the importing file's folder. */
export function resolveImport(importer: string, imported: string): string {
  if (imported.startsWith("/")) return normalizePath(imported);
  const slash = importer.lastIndexOf("/");
  return normalizePath(slash < 0 ? imported : `${importer.slice(0, slash)}/${imported}`);
}

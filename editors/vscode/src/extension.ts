// The VS Code client: starts `cnnc lsp` for .cnn files and hands everything
// else (diagnostics, inlay shapes, hover, completion, formatting, quick fixes)
// to the language server. The server comes from the `cnnc.path` setting, else
// the workspace's own node_modules (so the editor checks with the cnnc version
// the project pins), else bin/cnnc when the workspace is cnnc itself.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The command that runs cnnc, or a sentence saying where it was looked for. */
export function findServer(folders: readonly string[], configured: string): { command: string; args: string[] } | { missing: string } {
  if (configured !== "") {
    const candidates = isAbsolute(configured) ? [configured] : folders.map((f) => join(f, configured));
    const found = candidates.find((c) => existsSync(c));
    return found !== undefined ? { command: found, args: ["lsp", "--stdio"] } : { missing: `cnnc.path '${configured}' does not exist` };
  }
  for (const folder of folders) {
    const installed = join(folder, "node_modules", "cnnc", "bin", "cnnc");
    if (existsSync(installed)) return { command: "node", args: [installed, "lsp", "--stdio"] };
    const own = join(folder, "package.json");
    if (existsSync(own) && (JSON.parse(readFileSync(own, "utf8")) as { name?: string }).name === "cnnc") {
      return { command: "node", args: [join(folder, "bin", "cnnc"), "lsp", "--stdio"] };
    }
  }
  return { missing: "cnnc is not installed in this workspace: run `npm install --save-dev cnnc`, or set cnnc.path" };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("cnnc");
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const server = findServer(folders, config.get<string>("path", ""));
  if ("missing" in server) {
    void vscode.window.showWarningMessage(`cnnc: ${server.missing}. Highlighting works; checking does not.`);
    return;
  }
  const serverOptions: ServerOptions = { command: server.command, args: server.args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "cnn" }],
    initializationOptions: { debounceMs: config.get<number>("debounceMs", 50) },
  };
  client = new LanguageClient("cnnc", "cnnc", serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

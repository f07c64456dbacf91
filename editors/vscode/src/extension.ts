// The VS Code client: starts `cnnc lsp` for .cnn files (found by find-server.ts)
// and hands everything else (diagnostics, inlay shapes, hover, completion,
// formatting, quick fixes) to the language server.
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { findServer } from "./find-server.ts";

let client: LanguageClient | undefined;

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

// `cnnc lsp [--stdio]`: the language server for editors (src/lsp/server.ts),
// speaking LSP over stdin/stdout until the client sends `exit` or closes the
// pipe; the exit code is 0 after a `shutdown` request, else 1 (the protocol's rule).
import type { Command } from "commander";
import type { CliContext } from "./context.ts";

export function register(program: Command, _cli: CliContext): void {
  program
    .command("lsp")
    .description("run the language server (LSP over stdin/stdout) for editors: diagnostics, shapes, hover, completion, fmt")
    .option("--stdio", "talk over stdin/stdout (the only transport; editors pass it)")
    .option("--clientProcessId <pid>", "exit when this process ends (editors pass it)")
    .action(async () => {
      const { serveStdio } = await import("../lsp/server.ts");
      serveStdio();
      // the server ends the process itself (on `exit` or when stdin closes)
      await new Promise<never>(() => {});
    });
}

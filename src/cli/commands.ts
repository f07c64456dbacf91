// Every command's name, arguments, options and help, and nothing else: the
// action loads the file that does the work (src/cli/<command>.ts) only when
// the command runs, so `cnnc --help`, `--version` and each command load just
// what they use (the bundle keeps each import() below as its own chunk). To
// add a command, write src/cli/<command>.ts with its run function and add its
// definition here.
import { type Command, Option } from "commander";
import { DEFAULT_UNROLL_BUDGET } from "../emit/context.ts";
import type { BuildOptions } from "./build.ts";
import type { CheckOptions } from "./check.ts";
import type { CliContext } from "./context.ts";
import type { ExportOptions } from "./export.ts";
import type { FmtOptions } from "./fmt.ts";
import type { GradcheckCliOptions } from "./gradcheck.ts";
import { countArgument, tolArgument, wholeNumberArgument } from "./options.ts";
import type { SummaryOptions } from "./summary.ts";

export function registerCommands(program: Command, cli: CliContext): void {
  program
    .command("check")
    .description("parse and shape-check every model; one line per model that checks, a diagnostic per problem")
    .argument("<file...>", ".cnn files to check")
    .addOption(new Option("--format <format>", "how to print diagnostics").choices(["text", "json", "github"]).default("text"))
    .option("--deny-warnings", "fail (exit 1) on warnings too")
    .option("--max-params <N>", "fail a model with more than N trainable parameters (E0390)", countArgument)
    .option("--max-macs <N>", "fail a model with more than N multiply-accumulates per sample (E0391)", countArgument)
    .action(async (files: string[], options: CheckOptions) => {
      cli.exitCode = (await import("./check.ts")).runCheck(files, options, cli.io);
    });

  program
    .command("summary")
    .description("a table per model: layer, op, output shape, parameters, MACs and activation memory per sample; the workspace bytes")
    .argument("<file>", "a .cnn file")
    .option("--model <name>", "only the model with this name")
    .option("--batch <N>", "also give the workspace bytes for a batch of N samples", wholeNumberArgument(1))
    .addOption(new Option("--dtype <dtype>", "float type of the generated module whose workspace is sized").choices(["f32", "f64"]).default("f32"))
    .addOption(new Option("--format <format>", "a table (text) or the JSON document of `cnnc check`").choices(["text", "json"]).default("text"))
    .action(async (file: string, options: SummaryOptions) => {
      cli.exitCode = (await import("./summary.ts")).runSummary(file, options, cli.io);
    });

  program
    .command("explain")
    .description("the longer explanation of a diagnostic code, with an example and its fix")
    .argument("<code>", "a diagnostic code, e.g. E0301")
    .action(async (code: string) => {
      cli.exitCode = (await import("./explain.ts")).runExplain(code, cli.io);
    });

  program
    .command("export")
    .description("write an equivalent PyTorch module (same state-dict names and shapes) for every model")
    .argument("<file>", "a .cnn file")
    .requiredOption("--pytorch", "export to PyTorch (the only target)")
    .option("-o, --out <dir>", "output directory", ".")
    .option("--model <name>", "only the model with this name")
    .action(async (file: string, options: ExportOptions) => {
      cli.exitCode = (await import("./export.ts")).runExport(file, options, cli.io);
    });

  program
    .command("draw")
    .description("draw the stack as an SVG: a box per layer with its shape and parameters; a failing layer in red")
    .argument("<file>", "a .cnn file")
    .requiredOption("-o, --out <file>", "the .svg file to write")
    .option("--model <name>", "only the model with this name")
    .action(async (file: string, options: { out: string; model?: string }) => {
      cli.exitCode = (await import("./draw.ts")).runDraw(file, options, cli.io);
    });

  program
    .command("build")
    .description("emit <Model>.ts (forward, backward, init) and <Model>.gradcheck.ts for every model")
    .argument("<file...>", ".cnn files")
    .option("-o, --out <dir>", "output directory", ".")
    .option("--model <name>", "only the model with this name")
    .addOption(new Option("--dtype <dtype>", "float type of the generated module").choices(["f32", "f64"]).default("f32"))
    .addOption(
      new Option("--target <target>", "ts: plain TypeScript; wasm: the same API running WebAssembly SIMD128 kernels (f32)")
        .choices(["ts", "wasm"])
        .default("ts"),
    )
    .option(
      "--unroll <n>",
      "the most multiply-adds per kernel window written out as straight-line code; larger windows become loops",
      wholeNumberArgument(1),
      DEFAULT_UNROLL_BUDGET,
    )
    .addOption(
      new Option("--emit <phase>", "print a phase's output instead of writing files").choices(["tokens", "ast", "ir", "ts"]),
    )
    .action(async (files: string[], options: BuildOptions) => {
      cli.exitCode = await (await import("./build.ts")).runBuild(files, options, cli.io);
    });

  program
    .command("gradcheck")
    .description("build each model in f64 to a temporary folder and compare its backward pass with centred differences")
    .argument("<file>", "a .cnn file")
    .option("--model <name>", "only the model with this name")
    .option("--batch <n>", "batch size (default 2; 4 with --target wasm)", wholeNumberArgument(1))
    .option("--tol <t>", "the largest relative error that passes (default 1e-6)", tolArgument)
    .option("--seed <s>", "seed for parameters, data and sampled entries (default 1)", wholeNumberArgument(0))
    .option("--samples <k>", "entries checked per tensor (default 20)", wholeNumberArgument(1))
    .option("--tensors <names>", "check only these tensors, comma-separated (dx for the input)")
    .addOption(
      new Option("--target <target>", "ts: the f64 TypeScript backward; wasm: the f32 WebAssembly backward (default tol 1e-3)")
        .choices(["ts", "wasm"])
        .default("ts"),
    )
    .action(async (file: string, options: GradcheckCliOptions) => {
      cli.exitCode = await (await import("./gradcheck.ts")).runGradcheck(file, options, cli.io);
    });

  program
    .command("fmt")
    .description("rewrite .cnn files in the canonical layout, keeping every comment")
    .argument("<file...>", ".cnn files to format")
    .option("--check", "write nothing; list the files that would change and exit 1 if any")
    .action(async (files: string[], options: FmtOptions) => {
      cli.exitCode = (await import("./fmt.ts")).runFmt(files, options, cli.io);
    });

  // speaks LSP until the client sends `exit` or closes the pipe; exit 0 after a `shutdown` request, else 1 (the protocol's rule)
  program
    .command("lsp")
    .description("run the language server (LSP over stdin/stdout) for editors: diagnostics, shapes, hover, completion, fmt")
    .option("--stdio", "talk over stdin/stdout (the only transport; editors pass it)")
    .option("--clientProcessId <pid>", "exit when this process ends (editors pass it)")
    .action(async () => {
      (await import("../lsp/server.ts")).serveStdio();
      // the server ends the process itself (on `exit` or when stdin closes)
      await new Promise<never>(() => {});
    });
}

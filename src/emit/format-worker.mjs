// The second thread of formatTsAll (src/emit/format.ts): formats each text it
// is sent with prettier and posts the result back under the same id. Plain
// JavaScript so it loads without tsx, whether cnnc runs from src/ or from the
// prebuilt bundle in dist/. It loads prettier's parser and printer as soon as
// it starts, while the main thread is still compiling.
import { parentPort } from "node:worker_threads";
import { format } from "prettier";
import "prettier/plugins/babel";
import "prettier/plugins/estree";

parentPort.on("message", async ({ id, text, options }) => {
  try {
    parentPort.postMessage({ id, formatted: await format(text, options) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});

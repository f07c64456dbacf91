import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // one test file per core: vitest's default (cores − 1) runs the suite on one core of a 2-core machine
    maxWorkers: availableParallelism(),
    // each worker loads the compiler and its transforms once for all its files, not once per file
    // (they were 40 % of the suite's time); no test depends on a fresh module graph
    isolate: false,
  },
});

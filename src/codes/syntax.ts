import type { CodeInfo } from "./index.ts";

export const syntaxCodes = {} as const satisfies Record<string, CodeInfo>;

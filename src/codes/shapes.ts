import type { CodeInfo } from "./index.ts";

export const shapeCodes = {} as const satisfies Record<string, CodeInfo>;

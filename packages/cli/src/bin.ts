#!/usr/bin/env node
import { createProgram } from './program';

createProgram().parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`autotune: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

#!/usr/bin/env node
import { runCli } from './program';

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`autotune: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
import { runCli } from './program';
import { endQuietlyOnClosedStdout } from './closed-stdout';

endQuietlyOnClosedStdout(process);

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`autotune: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

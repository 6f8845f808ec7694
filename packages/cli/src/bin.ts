#!/usr/bin/env node
import { runCli } from './program';
import { escapeControlCharacters } from './safe-text';

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`autotune: ${escapeControlCharacters(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);

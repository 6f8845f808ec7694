import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** The `autotune` command. */
export function createProgram(): Command {
  return new Command('autotune').description('Measure, tune and safely roll out agent team workflow changes').version(packageVersion());
}

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as pkg from '@autotune/cli';

// The exact public names: a new export is a decision, not an accident. Checked twice, through the sources
// (Jest maps @autotune/cli to src) and through the built package's `exports` as a user would load it.
const PUBLIC_NAMES = [
  'CONFIG_FILE_NAMES',
  'CliError',
  'EXIT_CODES',
  'EXIT_CODES_HELP',
  'checkScriptConfigTrusted',
  'createProgram',
  'exitCodeOf',
  'findProjectConfig',
  'loadProjectConfig',
  'processTerminal',
  'runCli',
  'signalExitCode',
  'validateProjectConfig',
];

describe('@autotune/cli entry', () => {
  it('exposes exactly its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(PUBLIC_NAMES);
  });

  it('exposes the same names from the built package, resolved through its exports', () => {
    // A child process, so Node (not Jest's mapper) resolves @autotune/cli from package.json "exports".
    const names = execFileSync(process.execPath, ['-e', "console.log(JSON.stringify(Object.keys(require('@autotune/cli')).sort()))"], {
      cwd: path.resolve(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(JSON.parse(names)).toEqual(PUBLIC_NAMES);
  }, 60_000);
});

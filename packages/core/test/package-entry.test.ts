import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as pkg from '@autotune/core';
import * as testing from '@autotune/core/testing';

// The exact public names of both entry points: a new export is a decision, not an accident. Checked through
// the sources (Jest maps @autotune/core to src) and through the built package's `exports`, as a user loads it.
const PUBLIC_NAMES = [
  'AUTOTUNE_DIR',
  'CommandRunner',
  'CoreError',
  'DEFAULT_DATABASE_NAME',
  'DEFAULT_LOCK_HEARTBEAT_MS',
  'DEFAULT_LOCK_STALE_MS',
  'EXPERIMENT_LABEL',
  'FunctionRunner',
  'MemoryStore',
  'PerformanceAutotuner',
  'SQLITE_SCHEMA_VERSION',
  'SqliteStore',
  'TUNE_SETTINGS',
  'completeRecord',
  'configInFileShape',
  'holdTeamLock',
  'isCoreError',
  'isTeamConfig',
  'loadWorkflowFile',
  'locateJsonError',
  'openDefaultDatabasePath',
  'prepareDatabaseFile',
  'readHistoryEntry',
  'renderWorkflowChange',
  'renderWorkflowUpdate',
  'restoreWorkflowText',
  'saveWorkflowFile',
  'settlePendingHistory',
  'spellChanges',
  'splitCommand',
  'teamConfigFromUser',
  'teamConfigToUser',
  'teamKeyInFile',
  'textHash',
  'validateSearchSpace',
  'workflowFromText',
  'writeFileAtomic',
];
const TESTING_NAMES = ['deadPid', 'describeStoreContract', 'sampleHistoryEntry', 'sampleStoreRecord', 'sampleStoredExperiment'];

function builtNames(specifier: string): string[] {
  // A child process, so Node (not Jest's mapper) resolves the specifier from package.json "exports".
  const out = execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`], {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe('@autotune/core entry', () => {
  it('exposes exactly its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(PUBLIC_NAMES);
    expect(Object.keys(testing).sort()).toEqual(TESTING_NAMES);
  });

  it('exposes the same names from the built package, resolved through its exports', () => {
    expect(builtNames('@autotune/core')).toEqual(PUBLIC_NAMES);
    expect(builtNames('@autotune/core/testing')).toEqual(TESTING_NAMES);
  }, 60_000);
});

import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why a command could not be found, for the error message; undefined when it was found. */
export interface ExecutableLookup {
  path?: string;
  problem?: string;
}

/**
 * Finds the file a command names, as the OS would when spawning it without a shell: a name with a slash is
 * a path (relative to `cwd`); a bare name is looked up in `PATH` (and, on Windows, with `PATHEXT`).
 */
export function findExecutable(command: string, cwd: string, env: NodeJS.ProcessEnv): ExecutableLookup {
  const windows = process.platform === 'win32';
  const exts = windows ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  if (command.includes('/') || (windows && command.includes('\\'))) {
    const file = path.resolve(cwd, command);
    for (const ext of exts) if (isExecutableFile(file + ext)) return { path: file + ext };
    let exists = false;
    try {
      exists = statSync(file).isFile();
    } catch {
      exists = false;
    }
    return { problem: exists ? `${file} is not executable (chmod +x it, or run it through its interpreter)` : `${file} does not exist` };
  }
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter);
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = path.join(dir === '' ? cwd : path.resolve(cwd, dir), command + ext);
      if (isExecutableFile(file)) return { path: file };
    }
  }
  return { problem: `no executable named "${command}" in PATH (${dirs.filter((d) => d !== '').join(path.delimiter) || 'empty'})` };
}

import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CoreError } from '../errors';

/** Permission bits for files and folders autotune creates beside a workflow file. */
export interface CreationModes {
  /** For files (database, backups): the workflow's read and write bits, never execute. */
  file: number;
  /** For folders (`.autotune/`, `backups/`): the workflow's bits, plus search (x) wherever it can be read. */
  dir: number;
}

/**
 * The modes that make what autotune creates no more readable than `likePath` (the workflow file): a 0600
 * workflow gives 0700 folders and 0600 files, a 0640 one 0750 and 0640. The database and backups hold the
 * workflow's full text, so they must not be readable by anyone the workflow keeps out. Undefined when
 * `likePath` cannot be read (the process umask then decides, as for any new file).
 */
export function creationModesLike(likePath: string | undefined): CreationModes | undefined {
  if (likePath === undefined) return undefined;
  let mode: number;
  try {
    mode = statSync(likePath).mode & 0o777;
  } catch {
    return undefined;
  }
  const file = mode & 0o666;
  // Owner always keeps rwx on the folders it needs to use; others get x only where they get r.
  const dir = 0o700 | (file & 0o066) | ((file & 0o044) >> 2);
  return { file: file | 0o600, dir };
}

/**
 * Makes sure a database file's folder exists and, when the file is new, creates it empty with modes like
 * `likePath`'s ({@link creationModesLike}) before any database driver opens it: SQLite creates a missing file
 * (and later its `-wal` and `-shm` files, which copy the database's mode) readable by everyone the umask allows.
 * An existing folder or file keeps its mode.
 *
 * @throws CoreError `CORE_IO` naming the folder or file that could not be created.
 */
export function prepareDatabaseFile(dbPath: string, likePath?: string): void {
  const modes = creationModesLike(likePath);
  const folder = path.dirname(path.resolve(dbPath));
  try {
    mkdirSync(folder, { recursive: true, ...(modes ? { mode: modes.dir } : {}) });
  } catch (e) {
    throw new CoreError('CORE_IO', `cannot create the folder for the database: ${(e as Error).message}`, { location: { file: folder }, cause: e });
  }
  if (existsSync(dbPath)) return;
  try {
    // 'wx': never truncate a database another process created in the meantime.
    closeSync(openSync(dbPath, 'wx', modes?.file ?? 0o666));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new CoreError('CORE_IO', `cannot create the database file: ${(e as Error).message}`, { location: { file: dbPath }, cause: e });
  }
}

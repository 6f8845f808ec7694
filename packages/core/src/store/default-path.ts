import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { CoreError } from '../errors';
import { AUTOTUNE_DIR } from '../workflow/save-workflow';

/** File name of autotune's database inside the `.autotune` folder. */
export const DEFAULT_DATABASE_NAME = 'autotune.db';

/**
 * The default database file: `.autotune/autotune.db` beside the workflow file (or in the current directory
 * without one). Creates the `.autotune` folder; opening the file is the caller's job.
 *
 * @throws CoreError `CORE_IO` when the folder cannot be created.
 */
export function openDefaultDatabasePath(workflowPath?: string): string {
  const dir = workflowPath === undefined ? process.cwd() : path.dirname(path.resolve(workflowPath));
  const folder = path.join(dir, AUTOTUNE_DIR);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw new CoreError('CORE_IO', `cannot create the autotune folder: ${(e as Error).message}`, { location: { file: folder }, cause: e });
  }
  return path.join(folder, DEFAULT_DATABASE_NAME);
}

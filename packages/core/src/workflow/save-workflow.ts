import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';
import { writeFileAtomic } from './atomic-write';
import { creationModesLike } from './private-files';
import { renderWorkflowChange } from './render-update';
import type { CommentNote } from './stale-comments';
import { workflowFromText } from './workflow-file';
import type { WorkflowFile } from './workflow-file';

/** Options of {@link saveWorkflowFile}. */
export interface SaveWorkflowOptions {
  /** Keep the previous bytes in `.autotune/backups/` beside the file first. Default true. */
  backup?: boolean;
  /** Clock for the backup's name; tests pin it. */
  now?: () => Date;
}

/** What {@link saveWorkflowFile} wrote. */
export interface SavedWorkflow {
  path: string;
  /** The backup of the previous bytes, when one was made. */
  backupPath?: string;
  /** The text now in the file. */
  text: string;
  /** The file as it now is, to pass to the next save. */
  file: WorkflowFile;
  /** Trailing comments on the changed values: updated where they repeated the old number, else possibly stale. */
  comments: CommentNote[];
}

/** Name of the folder, beside the workflow file, that holds autotune's database and backups. */
export const AUTOTUNE_DIR = '.autotune';

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Writes the exact previous bytes to `<dir>/.autotune/backups/<name>.<UTC timestamp><ext>`: the file's own
 * extension, so a YAML backup is YAML, and at most the file's own permissions. Never overwrites an earlier
 * backup.
 */
export async function writeBackup(filePath: string, text: string, now: Date = new Date()): Promise<string> {
  const dir = path.join(path.dirname(path.resolve(filePath)), AUTOTUNE_DIR, 'backups');
  const ext = path.extname(filePath);
  const name = path.basename(filePath, ext);
  try {
    // The copy is no more readable than the file: a workflow kept private (it may hold secrets) stays so.
    const mode = await fsp.stat(filePath).then(
      (st) => st.mode & 0o777,
      () => 0o666,
    );
    // The folders too: their listing names the backups, and `.autotune/` also holds the database.
    const modes = creationModesLike(filePath);
    await fsp.mkdir(dir, { recursive: true, ...(modes ? { mode: modes.dir } : {}) });
    for (let n = 0; ; n++) {
      const candidate = path.join(dir, `${name}.${stamp(now)}${n === 0 ? '' : `-${n}`}${ext}`);
      let handle;
      try {
        handle = await fsp.open(candidate, 'wx', mode);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue;
        throw e;
      }
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return candidate;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CoreError('CORE_IO', `cannot write a backup in ${dir} (${err.code ?? err.message}); the workflow file is unchanged`, { location: { file: filePath }, cause: e });
  }
}

/**
 * Writes `next` into the workflow file: renders the change ({@link renderWorkflowUpdate}), backs up the
 * previous bytes, then replaces the file atomically. If anything fails the file is byte for byte as it was.
 * Refuses to write when the file changed on disk since it was loaded.
 *
 * @throws CoreError `CORE_IO` (read, backup or write failed; file changed since loading), `CORE_CONFIG_INVALID`.
 */
export async function saveWorkflowFile(file: WorkflowFile, next: TeamConfig, options: SaveWorkflowOptions = {}): Promise<SavedWorkflow> {
  const { text, comments } = renderWorkflowChange(file, next);
  let current: string;
  try {
    current = await fsp.readFile(file.path, 'utf8');
  } catch (e) {
    throw new CoreError('CORE_IO', `cannot read the workflow file before writing it: ${(e as Error).message}`, { location: { file: file.path }, cause: e });
  }
  if (current !== file.text) {
    throw new CoreError('CORE_IO', 'the file changed on disk since it was loaded; load it again and retry (nothing was written)', { location: { file: file.path } });
  }
  const updated = workflowFromText(file.path, text, file.teamId, file.format);
  if (text === file.text) return { path: file.path, text, file: updated, comments };
  const backupPath = options.backup === false ? undefined : await writeBackup(file.path, file.text, (options.now ?? (() => new Date()))());
  await writeFileAtomic(file.path, text);
  return { path: file.path, ...(backupPath !== undefined && { backupPath }), text, file: updated, comments };
}

/**
 * Puts earlier text back into a file, atomically and byte for byte (a rollback).
 *
 * @throws CoreError `CORE_IO`.
 */
export async function restoreWorkflowText(filePath: string, text: string): Promise<void> {
  await writeFileAtomic(filePath, text);
}

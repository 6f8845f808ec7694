import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CoreError } from '../errors';

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
}

async function ignoreErrors(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch {
    // Best effort: the caller already has the error that matters.
  }
}

/**
 * Replaces a file's contents all at once: writes a temporary file in the same directory, flushes it to disk,
 * renames it over the target and flushes the directory. Readers see the old bytes or the new ones, never a
 * mix; if anything fails the target is left as it was and the temporary file is removed. An existing file
 * keeps its permission bits (and owner, where allowed); a symlink is followed, not replaced.
 *
 * @throws CoreError `CORE_IO` naming the file and the system error.
 */
export async function writeFileAtomic(filePath: string, text: string | Uint8Array): Promise<void> {
  let target = filePath;
  let existing: { mode: number; uid: number; gid: number } | undefined;
  try {
    target = await fsp.realpath(filePath);
    const st = await fsp.stat(target);
    existing = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CoreError('CORE_IO', `cannot write the file: ${reason(e)}; it is unchanged`, { location: { file: filePath }, cause: e });
    }
  }
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.autotune-tmp`);
  let renamed = false;
  try {
    const handle = await fsp.open(tmp, 'wx', existing?.mode ?? 0o666);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (existing) {
      // open() applies the umask; the original's bits are what the user chose.
      await fsp.chmod(tmp, existing.mode);
      const { uid, gid } = existing;
      await ignoreErrors(() => fsp.chown(tmp, uid, gid));
    }
    await fsp.rename(tmp, target);
    renamed = true;
  } catch (e) {
    if (!renamed) await ignoreErrors(() => fsp.unlink(tmp));
    throw new CoreError('CORE_IO', `cannot write the file: ${reason(e)}; it is unchanged`, { location: { file: filePath }, cause: e });
  }
  // Without this the rename itself may not survive a crash.
  await ignoreErrors(async () => {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

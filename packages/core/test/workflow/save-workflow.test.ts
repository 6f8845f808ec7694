import { chmodSync, copyFileSync, mkdtempSync, promises, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CoreError } from '../../src/errors';
import { writeFileAtomic } from '../../src/workflow/atomic-write';
import { restoreWorkflowText, saveWorkflowFile } from '../../src/workflow/save-workflow';
import { loadWorkflowFile } from '../../src/workflow/workflow-file';

/** Everything this file writes goes under one folder, removed at the end. */
const scratchRoot = mkdtempSync(path.join(tmpdir(), 'autotune-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

const fixtures = path.join(__dirname, '..', 'fixtures', 'workflow');

function scratch(name: string): string {
  const dir = mkdtempSync(path.join(scratchRoot, 'autotune-save-'));
  const p = path.join(dir, name);
  copyFileSync(path.join(fixtures, name), p);
  return p;
}

async function failure(promise: Promise<unknown>): Promise<CoreError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error('expected a failure');
}

afterEach(() => jest.restoreAllMocks());

describe('saveWorkflowFile', () => {
  it.each(['flat.yaml', 'flat.json', 'workflow.json'])('writes the change to %s and backs up the exact previous bytes in its own format', async (name) => {
    const p = scratch(name);
    const original = readFileSync(p);
    const file = await loadWorkflowFile(p);
    const saved = await saveWorkflowFile(file, { ...file.config, formation: 'hierarchical' }, { now: () => new Date('2025-01-15T10:00:00.123Z') });
    expect(readFileSync(p, 'utf8')).toBe(saved.text);
    expect(saved.file.config.formation).toBe('hierarchical');
    expect(saved.file.text).toBe(saved.text);
    const ext = path.extname(name);
    expect(saved.backupPath).toBe(path.join(path.dirname(p), '.autotune', 'backups', `${path.basename(name, ext)}.20250115T100000123Z${ext}`));
    expect(readFileSync(saved.backupPath!).equals(original)).toBe(true);
  });

  it('never overwrites an earlier backup made in the same millisecond', async () => {
    const p = scratch('flat.yaml');
    const now = () => new Date('2025-01-15T10:00:00.000Z');
    const first = await saveWorkflowFile(await loadWorkflowFile(p), { ...(await loadWorkflowFile(p)).config, formation: 'pipeline' }, { now });
    const second = await saveWorkflowFile(first.file, { ...first.file.config, formation: 'consensus' }, { now });
    expect(second.backupPath).toBe(first.backupPath!.replace('.yaml', '-1.yaml'));
    expect(readFileSync(second.backupPath!, 'utf8')).toBe(first.text);
  });

  it('writes no backup when asked not to, and nothing at all when nothing changes', async () => {
    const p = scratch('flat.yaml');
    const file = await loadWorkflowFile(p);
    const same = await saveWorkflowFile(file, file.config);
    expect(same.backupPath).toBeUndefined();
    expect(same.text).toBe(file.text);
    const saved = await saveWorkflowFile(file, { ...file.config, toolBudget: 20 }, { backup: false });
    expect(saved.backupPath).toBeUndefined();
    expect(readdirSync(path.dirname(p))).toEqual(['flat.yaml']);
  });

  it('keeps the file’s permission bits', async () => {
    const p = scratch('flat.yaml');
    chmodSync(p, 0o640);
    const file = await loadWorkflowFile(p);
    await saveWorkflowFile(file, { ...file.config, toolBudget: 20 });
    expect(statSync(p).mode & 0o777).toBe(0o640);
  });

  it('gives the backup no wider permissions than the file: a private workflow file stays private', async () => {
    const p = scratch('flat.yaml');
    chmodSync(p, 0o600);
    const file = await loadWorkflowFile(p);
    const saved = await saveWorkflowFile(file, { ...file.config, toolBudget: 20 });
    expect(statSync(saved.backupPath!).mode & 0o777).toBe(0o600);
  });

  it('writes through a symlink instead of replacing it', async () => {
    const real = scratch('flat.yaml');
    const link = path.join(path.dirname(real), 'link.yaml');
    symlinkSync(real, link);
    const file = await loadWorkflowFile(link);
    await saveWorkflowFile(file, { ...file.config, toolBudget: 20 }, { backup: false });
    expect((await promises.lstat(link)).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('tool_budget: 20');
  });

  it('leaves the file byte for byte unchanged, and no temporary file, when the write fails', async () => {
    const p = scratch('flat.yaml');
    const original = readFileSync(p);
    const file = await loadWorkflowFile(p);
    jest.spyOn(promises, 'rename').mockRejectedValueOnce(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
    const err = await failure(saveWorkflowFile(file, { ...file.config, formation: 'pipeline' }));
    expect(err.code).toBe('CORE_IO');
    expect(err.message).toContain('flat.yaml');
    expect(err.message).toContain('EIO');
    expect(err.message).toContain('it is unchanged');
    expect(readFileSync(p).equals(original)).toBe(true);
    expect(readdirSync(path.dirname(p)).sort()).toEqual(['.autotune', 'flat.yaml']);
  });

  it('leaves the file unchanged when the backup cannot be written', async () => {
    const p = scratch('flat.yaml');
    const original = readFileSync(p);
    // A plain file where the backup folder should be.
    writeFileSync(path.join(path.dirname(p), '.autotune'), 'not a folder');
    const file = await loadWorkflowFile(p);
    const err = await failure(saveWorkflowFile(file, { ...file.config, formation: 'pipeline' }));
    expect(err.code).toBe('CORE_IO');
    expect(err.message).toContain('cannot write a backup');
    expect(readFileSync(p).equals(original)).toBe(true);
  });

  it('refuses to overwrite a file that changed since it was loaded', async () => {
    const p = scratch('flat.yaml');
    const file = await loadWorkflowFile(p);
    writeFileSync(p, `${file.text}# edited by hand\n`);
    const err = await failure(saveWorkflowFile(file, { ...file.config, formation: 'pipeline' }));
    expect(err.code).toBe('CORE_IO');
    expect(err.message).toContain('changed on disk since it was loaded');
    expect(readFileSync(p, 'utf8')).toBe(`${file.text}# edited by hand\n`);
  });
});

describe('writeFileAtomic and restoreWorkflowText', () => {
  it('restores earlier text byte for byte', async () => {
    const p = scratch('flat.yaml');
    const file = await loadWorkflowFile(p);
    await saveWorkflowFile(file, { ...file.config, formation: 'pipeline', memberCount: 2, members: file.config.members!.slice(0, 2) });
    expect(readFileSync(p, 'utf8')).not.toBe(file.text);
    await restoreWorkflowText(p, file.text);
    expect(readFileSync(p).equals(readFileSync(path.join(fixtures, 'flat.yaml')))).toBe(true);
  });

  it('creates a file that does not exist yet', async () => {
    const dir = mkdtempSync(path.join(scratchRoot, 'autotune-save-'));
    await writeFileAtomic(path.join(dir, 'new.json'), '{}\n');
    expect(readFileSync(path.join(dir, 'new.json'), 'utf8')).toBe('{}\n');
    expect(readdirSync(dir)).toEqual(['new.json']);
  });

  it('fails with CORE_IO in a directory that does not exist', async () => {
    const err = await failure(writeFileAtomic(path.join(tmpdir(), 'autotune-no-such-dir', 'x.yaml'), 'a: 1\n'));
    expect(err.code).toBe('CORE_IO');
    expect(err.message).toContain('ENOENT');
  });
});

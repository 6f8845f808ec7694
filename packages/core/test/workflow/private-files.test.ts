import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { prepareDatabaseFile } from '@autotune/core';
import { creationModesLike } from '../../src/workflow';

const mode = (p: string) => statSync(p).mode & 0o777;
let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'autotune-modes-'));
  // The table below assumes the common umask; the modes asked for are never wider than it allows anyway.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

describe('creationModesLike', () => {
  it.each([
    [0o600, 0o700, 0o600],
    [0o640, 0o750, 0o640],
    [0o644, 0o755, 0o644],
    [0o444, 0o755, 0o644],
    [0o400, 0o700, 0o600],
    [0o755, 0o755, 0o644],
  ])('workflow %o: folders %o, files %o', (workflow, folder, file) => {
    const wf = path.join(dir, 'wf.yaml');
    writeFileSync(wf, 'x: 1\n');
    chmodSync(wf, workflow);
    expect(creationModesLike(wf)).toEqual({ dir: folder, file });
  });

  it('is undefined for a missing file (the umask decides)', () => {
    expect(creationModesLike(path.join(dir, 'missing.yaml'))).toBeUndefined();
    expect(creationModesLike(undefined)).toBeUndefined();
  });
});

describe('prepareDatabaseFile', () => {
  it('creates the folder and the database like a 0600 workflow, and SQLite keeps the mode for -wal and -shm', () => {
    const wf = path.join(dir, 'wf.yaml');
    writeFileSync(wf, 'x: 1\n');
    chmodSync(wf, 0o600);
    const dbPath = path.join(dir, '.autotune', 'autotune.db');
    prepareDatabaseFile(dbPath, wf);
    expect(mode(path.join(dir, '.autotune'))).toBe(0o700);
    const db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    const files = readdirSync(path.join(dir, '.autotune'));
    expect(files).toEqual(expect.arrayContaining(['autotune.db', 'autotune.db-wal', 'autotune.db-shm']));
    for (const f of files) expect([f, mode(path.join(dir, '.autotune', f))]).toEqual([f, 0o600]);
    db.close();
  });

  it('leaves an existing database and its mode alone', () => {
    const dbPath = path.join(dir, 'x.db');
    writeFileSync(dbPath, 'not empty');
    chmodSync(dbPath, 0o644);
    const wf = path.join(dir, 'wf.yaml');
    writeFileSync(wf, 'x: 1\n');
    chmodSync(wf, 0o600);
    prepareDatabaseFile(dbPath, wf);
    expect(mode(dbPath)).toBe(0o644);
  });
});

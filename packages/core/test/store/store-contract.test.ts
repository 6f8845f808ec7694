import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore, SqliteStore } from '@autotune/core';
import { describeStoreContract } from '@autotune/core/testing';

/** Everything this file writes goes under one folder, removed at the end. */
const scratchRoot = mkdtempSync(path.join(tmpdir(), 'autotune-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

// One suite, run against every store (as Effect runs one suite against every driver), imported by the
// package's public name so that the `./testing` export is what is exercised.
describeStoreContract(({ now }) => ({ store: new MemoryStore({ now }) }), { name: 'MemoryStore (store contract)' });

describeStoreContract(
  ({ now }) => {
    const file = path.join(mkdtempSync(path.join(scratchRoot, 'autotune-store-')), 'autotune.db');
    const handles = [new Database(file)];
    return {
      store: SqliteStore.open(handles[0], { now }),
      // A second connection to the file, as a second process would open it.
      sibling: () => {
        handles.push(new Database(file));
        return SqliteStore.open(handles[handles.length - 1], { now });
      },
      dispose: () => handles.forEach((h) => h.close()),
    };
  },
  { name: 'SqliteStore (store contract)' },
);

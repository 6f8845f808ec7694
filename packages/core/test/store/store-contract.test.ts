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
    const first = new Database(file);
    const handles = [first];
    return {
      store: SqliteStore.open(first, { now }),
      // A second connection to the file, as a second process would open it.
      sibling: () => {
        const another = new Database(file);
        handles.push(another);
        return SqliteStore.open(another, { now });
      },
      dispose: () => handles.forEach((h) => h.close()),
    };
  },
  { name: 'SqliteStore (store contract)' },
);

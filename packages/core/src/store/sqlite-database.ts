/** A prepared statement: the part of better-sqlite3's `Statement` the store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A function wrapped in a transaction; `immediate` takes the write lock at BEGIN (`BEGIN IMMEDIATE`). */
export interface SqliteTransaction<T> {
  (): T;
  immediate(): T;
}

/**
 * The part of a better-sqlite3 `Database` that {@link SqliteStore} uses, written out so that core never
 * imports the driver: the caller opens the database (`new Database(path)`) and hands it in, and embedding
 * core forces no native module on anyone.
 */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<T>(fn: () => T): SqliteTransaction<T>;
  close(): unknown;
}

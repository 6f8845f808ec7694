/** A throw-away PostgreSQL server for tests: its superuser URL, and how to stop it (its data is deleted). */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}
/** Starts a PostgreSQL server on a free loopback port; resolves once it accepts connections. */
export declare function startTestPostgres(): Promise<TestPostgres>;

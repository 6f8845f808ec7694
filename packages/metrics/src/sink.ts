import type { ExecutionRecord } from './record';

/**
 * Where finished runs go. The collector calls `write` once per completed run, in completion order, and
 * awaits it when it returns a promise. Core's database store implements this interface.
 */
export interface MetricsSink {
  write(record: ExecutionRecord): void | Promise<void>;
  /** Release files or handles; no `write` follows. */
  close?(): void | Promise<void>;
}

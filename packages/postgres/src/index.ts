// @autotune/postgres: a shared PostgreSQL store and a trial queue, for autotune on many machines.
export { PostgresStore } from './postgres-store';
export type { PostgresStoreOptions } from './postgres-store';
export { POSTGRES_SCHEMA_VERSION } from './migrations';
export { PostgresError, isPostgresError } from './errors';
export type { PostgresErrorCode } from './errors';
export { isPostgresUrl, maskConnectionString, maskSecrets, passwordOf } from './mask';
export { QueueTrialRunner, TrialWorker, trialQueueName, TRIAL_QUEUE_PREFIX } from './trial-queue';
export type { QueueTrialRunnerOptions, TrialJobData, TrialQueueOptions, TrialWorkerOptions, WorkerEvent } from './trial-queue';

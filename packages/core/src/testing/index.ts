// @autotune/core/testing: the store contract suite and the samples it uses, for anyone writing an AutotuneStore.
export { describeStoreContract } from './store-contract';
export type { MakeStore, StoreContractContext, StoreContractOptions, StoreContractTestApi, StoreUnderTest } from './store-contract';
export { sampleHistoryEntry, sampleStoreRecord, sampleStoredExperiment } from './samples';
export { deadPid } from './dead-pid';

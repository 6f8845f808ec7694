import { STRATEGY_API_VERSION } from '@autotune/strategies';
/** Contract version of the strategies this core loads. */
export const SUPPORTED_STRATEGY_API_VERSION = STRATEGY_API_VERSION;

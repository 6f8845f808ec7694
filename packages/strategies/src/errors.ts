import { AutotuneError } from '@autotune/errors';

/**
 * Why a strategy error was thrown:
 * - `STRATEGY_INCOMPATIBLE`: a plugin was written against another major version of the contract.
 * - `STRATEGY_INVALID`: a value handed in as a strategy does not have the contract's shape.
 * - `STRATEGY_INVALID_OPTIONS`: a strategy option has the wrong type or range.
 * - `STRATEGY_INVALID_SUGGESTION`: a suggestion cannot be applied (e.g. a member count of 0).
 */
export type StrategyErrorCode =
  | 'STRATEGY_INCOMPATIBLE'
  | 'STRATEGY_INVALID'
  | 'STRATEGY_INVALID_OPTIONS'
  | 'STRATEGY_INVALID_SUGGESTION';

/** Misuse of the strategy contract. The message names the strategy or source, the field and what was expected. */
export class StrategyError extends AutotuneError<StrategyErrorCode> {
  override readonly name = 'StrategyError';
}

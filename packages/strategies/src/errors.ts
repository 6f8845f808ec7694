import { AUTOTUNE_ERROR_BRAND } from '@autotune/metrics';

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
export class StrategyError extends Error {
  override readonly name = 'StrategyError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: StrategyErrorCode;

  constructor(code: StrategyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

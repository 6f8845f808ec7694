export { costCapStrategy, COST_CAP_STRATEGY_NAME } from './cost-cap-strategy';
export type { CostCapOptions } from './cost-cap-strategy';

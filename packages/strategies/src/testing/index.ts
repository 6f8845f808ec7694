export { STRATEGY_API_VERSION } from '../contract';

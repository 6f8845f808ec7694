import type { OptimizationStrategy } from './contract';
import { formationSelectionStrategy } from './builtin/formation-selection';
import { memberSelectionStrategy } from './builtin/member-selection';
import { parallelizationStrategy } from './builtin/parallelization';
import { teamSizingStrategy } from './builtin/team-sizing';
import { timeoutTuningStrategy } from './builtin/timeout-tuning';
import { toolBudgetStrategy } from './builtin/tool-budget';

/**
 * The six built-in strategies with default options, in the guide's order: team sizing, formation
 * selection, tool budget, timeout tuning, member selection, parallelization. A new array of new
 * instances each call. Per-run options reach them through `StrategyContext.options[<name>]`.
 */
export function builtinStrategies(): OptimizationStrategy[] {
  return [
    teamSizingStrategy(),
    formationSelectionStrategy(),
    toolBudgetStrategy(),
    timeoutTuningStrategy(),
    memberSelectionStrategy(),
    parallelizationStrategy(),
  ];
}

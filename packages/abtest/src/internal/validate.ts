import { argumentChecks } from '@autotune/errors';
import { invalidInput } from '../errors';

// Option checks for the experiment and verdict options: the same checks and wording as @autotune/stats' (one
// home, in @autotune/errors), throwing AbtestError, which names the option.
export const { seed: checkSeed, openUnit, integerAtLeast, oneOf } = argumentChecks(invalidInput);

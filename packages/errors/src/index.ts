// The public surface of @autotune/errors, listed by name.
export { AUTOTUNE_ERROR_BRAND, AutotuneError, formatLocation, isAutotuneError } from './autotune-error';
export type { AutotuneErrorLike, AutotuneErrorOptions, ErrorLocation } from './autotune-error';
export { argumentChecks, describeValue } from './argument-checks';
export type { ArgumentChecks, InvalidInputFactory } from './argument-checks';

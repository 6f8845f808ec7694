import { AutotuneError } from '@autotune/errors';

/** What went wrong: misuse of the API (bad options), or the receiver could not listen. */
export type OtelErrorCode = 'OTEL_USAGE' | 'OTEL_LISTEN';

/** An error of `@autotune/otel`, recognised by `isAutotuneError` like every autotune error. */
export class OtelError extends AutotuneError<OtelErrorCode> {
  override readonly name = 'OtelError';
}

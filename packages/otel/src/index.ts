// The public surface of @autotune/otel, listed by name.
export { AutotuneSpanExporter, toTraceSpan } from './exporter';
export type { AutotuneSpanExporterOptions, ExportableSpan, ExportResult } from './exporter';
export { startOtlpReceiver, OTLP_TRACES_PATH } from './receiver';
export type { OtlpReceiver, OtlpReceiverOptions, OtlpReceiverStats } from './receiver';
export { OtelError } from './errors';
export type { OtelErrorCode } from './errors';

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { MetricsError, OtlpAssembler } from '@autotune/metrics';
import type { ExecutionRecord, MetricsSink, OtlpAssemblyStats, OtlpOptions } from '@autotune/metrics';
import { OtelError } from './errors';
import { RunWriter } from './run-writer';

/** The OTLP/HTTP path for traces. */
export const OTLP_TRACES_PATH = '/v1/traces';

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Where finished runs go (`JsonlFileSink`, core's store, ...). */
  sink: MetricsSink;
  /** Port to listen on (default 4318, OTLP/HTTP's; 0 picks a free one). */
  port?: number;
  /** Address to bind (default `127.0.0.1`: loopback only; say `0.0.0.0` to accept other machines). */
  host?: string;
  /** Largest request body accepted, after decompression (default 16 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Which span is a run, the grace window for late spans, most traces in flight, team defaults. */
  otlp?: OtlpOptions;
  /** Called for a run that could not be built or a sink write that failed. */
  onError?: (error: Error) => void;
  /** A clock in nanoseconds, used only for elapsed time (tests pass their own). */
  now?: () => bigint;
}

/** What a receiver has done so far. */
export interface OtlpReceiverStats extends OtlpAssemblyStats {
  requests: number;
  /** Requests answered with an error status (4xx). */
  badRequests: number;
  spans: number;
  runsWritten: number;
  runsRejected: number;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** `http://host:port/v1/traces`, the URL to give an OTLP/HTTP exporter. */
  readonly url: string;
  readonly port: number;
  stats(): OtlpReceiverStats;
  /** Stops accepting requests, builds every run still open, waits for the writes; returns the final stats. */
  close(): Promise<OtlpReceiverStats>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An OTLP/HTTP receiver for traces in JSON (`POST /v1/traces`, `Content-Type: application/json`, optionally
 * gzip-compressed), so an OpenTelemetry Collector or any SDK's OTLP/HTTP exporter can send straight to
 * autotune. Runs are assembled as in files (see `OtlpOptions`) and written to the sink. Bound to loopback
 * by default. Bad requests get 400 with the reason (as a `google.rpc.Status` JSON body, as OTLP asks),
 * protobuf gets 415 with a hint, bodies over the limit 413.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  if (options === undefined || options.sink === undefined || typeof options.sink.write !== 'function') {
    throw new OtelError('OTEL_USAGE', 'startOtlpReceiver: options.sink must be a metrics sink (an object with write(record))');
  }
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBody) || maxBody < 1) throw new OtelError('OTEL_USAGE', `maxBodyBytes: expected a whole number >= 1, got ${maxBody}`);
  const port = options.port ?? 4318;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OtelError('OTEL_USAGE', `port: expected 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  const assembler = new OtlpAssembler(options.otlp);
  const onError = options.onError ?? (() => undefined);
  const writer = new RunWriter(options.sink, onError);
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const counts = { requests: 0, badRequests: 0, spans: 0 };
  let lastTickNs = now();
  // Trace time flows on by the wall time since the last tick, so finished runs are built without new spans.
  const tick = (): void => {
    const t = now();
    assembler.advanceBy(t - lastTickNs, writer.assemblerSink);
    lastTickNs = t;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counts.requests++;
    try {
      const path = (req.url ?? '').split('?', 1)[0];
      if (path !== OTLP_TRACES_PATH) throw new HttpError(404, `not found: autotune receives traces at POST ${OTLP_TRACES_PATH}`);
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new HttpError(405, `method ${req.method} not allowed: POST OTLP/HTTP JSON to ${OTLP_TRACES_PATH}`);
      }
      const type = ((req.headers['content-type'] ?? '').split(';', 1)[0] ?? '').trim().toLowerCase();
      if (type === 'application/x-protobuf' || type === 'application/protobuf') {
        throw new HttpError(415, 'autotune receives OTLP/HTTP JSON only: set the exporter protocol to http/json (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)');
      }
      if (type !== 'application/json') throw new HttpError(415, `expected Content-Type application/json, got ${JSON.stringify(type || '(none)')}`);
      const body = await readBody(req, maxBody);
      let doc: unknown;
      try {
        doc = JSON.parse(body);
      } catch (e) {
        throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`);
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('resourceSpans' in doc)) {
        throw new HttpError(400, 'expected an OTLP ExportTraceServiceRequest: a JSON object with "resourceSpans"');
      }
      let rejected = 0;
      let firstRejection = '';
      const sink = {
        record: (r: ExecutionRecord) => writer.assemblerSink.record(r),
        reject: (e: MetricsError) => {
          rejected++;
          firstRejection ||= e.message;
          writer.assemblerSink.reject(e);
        },
      };
      counts.spans += countSpans(doc);
      try {
        assembler.addDocument(doc, { file: `POST ${OTLP_TRACES_PATH}` }, sink);
      } catch (e) {
        if (e instanceof MetricsError) throw new HttpError(400, e.message);
        throw e;
      }
      tick();
      send(res, 200, rejected === 0 ? {} : { partialSuccess: { rejectedSpans: String(rejected), errorMessage: firstRejection } });
    } catch (e) {
      if (e instanceof HttpError) {
        counts.badRequests++;
        // google.rpc.Status, as OTLP/HTTP asks for error bodies (3 = INVALID_ARGUMENT).
        // Too large: answer, then close the connection rather than read the rest of the body.
        if (e.status === 413) res.setHeader('Connection', 'close');
        send(res, e.status, { code: 3, message: e.message });
        req.resume();
        return;
      }
      onError(e instanceof Error ? e : new Error(String(e)));
      send(res, 500, { code: 13, message: 'internal error while receiving traces' });
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new OtelError('OTEL_LISTEN', `cannot listen on ${host}:${port}: ${e.message}`, { cause: e })));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const sweep = setInterval(() => tick(), 1000);
  sweep.unref();

  const stats = (): OtlpReceiverStats => {
    const c = writer.counts();
    return { ...assembler.stats(), ...counts, runsWritten: c.written, runsRejected: c.rejected };
  };
  let closing: Promise<OtlpReceiverStats> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}${OTLP_TRACES_PATH}`,
    port: bound,
    stats,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweep);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        assembler.flush(writer.assemblerSink);
        await writer.drain();
        return stats();
      })()),
  };
}

/** Spans in a request, for the stats (the assembler checks the structure itself). */
function countSpans(doc: object): number {
  let n = 0;
  const rs = (doc as { resourceSpans?: unknown }).resourceSpans;
  if (!Array.isArray(rs)) return 0;
  for (const r of rs) {
    const scopes = (r as { scopeSpans?: unknown } | null)?.scopeSpans;
    if (!Array.isArray(scopes)) continue;
    for (const sc of scopes) {
      const spans = (sc as { spans?: unknown } | null)?.spans;
      if (Array.isArray(spans)) n += spans.length;
    }
  }
  return n;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body as text, decompressed, refusing more than `max` bytes (before and after inflating). */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new HttpError(413, `request body of ${declared} bytes is over the limit of ${max}`));
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: IncomingMessage | Transform = req;
  if (encoding === 'gzip') stream = req.pipe(createGunzip());
  else if (encoding === 'deflate') stream = req.pipe(createInflate());
  else if (encoding !== 'identity') return Promise.reject(new HttpError(415, `unsupported Content-Encoding ${JSON.stringify(encoding)}: send gzip, deflate or none`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (e?: Error, text?: string) => {
      if (done) return;
      done = true;
      if (e !== undefined) reject(e);
      else resolve(text ?? '');
    };
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        finish(new HttpError(413, `request body is over the limit of ${max} bytes`));
        stream.removeAllListeners('data');
        if (stream !== req) (stream as Transform).destroy();
        return;
      }
      chunks.push(c);
    });
    stream.on('end', () => finish(undefined, Buffer.concat(chunks).toString('utf8')));
    stream.on('error', (e: Error) => finish(new HttpError(400, `cannot read the request body: ${e.message}`)));
    req.on('aborted', () => finish(new HttpError(400, 'request aborted')));
  });
}

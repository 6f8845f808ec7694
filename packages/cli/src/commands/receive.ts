import { JsonlFileSink, type MetricsSink } from '@autotune/metrics';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune receive`. */
export interface ReceiveFlags extends CommonFlags {
  port?: number;
  host?: string;
  out?: string;
  graceSeconds?: number;
  runSpans?: 'auto' | 'invoke_workflow';
  maxBodyMb?: number;
}

/**
 * `autotune receive`: an OTLP/HTTP JSON receiver on `/v1/traces`, so an OpenTelemetry Collector or an SDK's
 * OTLP exporter sends traces straight to autotune; each run assembled is appended to `--out` (JSON Lines)
 * and/or stored in `--db`. Runs until Ctrl-C or SIGTERM, then builds the runs still open and exits 0.
 */
export async function receiveCommand(flags: ReceiveFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    if (!flags.out && !flags.db) throw new CliError('CLI_USAGE', 'pass --out FILE (JSON Lines of runs) and/or --db FILE (the database) to say where received runs go');
    const { startOtlpReceiver } = require('@autotune/otel') as typeof import('@autotune/otel');
    const sinks: MetricsSink[] = [];
    const where: string[] = [];
    if (flags.out) {
      const path = session.resolveCwd(flags.out);
      sinks.push(new JsonlFileSink(path));
      where.push(path);
    }
    if (flags.db) {
      const { store, path } = session.openStore(undefined);
      sinks.push(store);
      where.push(`database ${path}`);
    }
    const sink: MetricsSink = {
      write: async (r) => {
        for (const s of sinks) await s.write(r);
      },
    };
    const otlp = { ...session.otlpReadOptions().otlp };
    if (flags.graceSeconds !== undefined) otlp.graceSeconds = flags.graceSeconds;
    if (flags.runSpans !== undefined) otlp.runSpans = flags.runSpans;
    let writeErrors = 0;
    const receiver = await startOtlpReceiver({
      sink,
      port: flags.port ?? 4318,
      host: flags.host ?? '127.0.0.1',
      maxBodyBytes: Math.round((flags.maxBodyMb ?? 16) * 1024 * 1024),
      otlp,
      onError: (e) => {
        writeErrors++;
        session.note(`autotune receive: ${e.message}`);
      },
    }).catch((e: Error) => {
      throw new CliError('CLI_INPUT', e.message, { cause: e });
    });
    session.print(`Listening on ${receiver.url} (OTLP/HTTP JSON); runs go to ${where.join(' and ')}. Ctrl-C to stop.`);
    session.emitJson({ listening: receiver.url, port: receiver.port });

    await new Promise<void>((resolve) => {
      const stop = () => {
        for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, stop);
        resolve();
      };
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, stop);
    });
    const stats = await receiver.close();
    for (const s of sinks) await s.close?.();
    session.print(
      `Stopped. ${stats.requests} request(s), ${stats.spans} span(s); wrote ${stats.runsWritten} run(s)` +
        (stats.rootSpanRuns > 0 ? ` (${stats.rootSpanRuns} from root spans)` : '') +
        `; ${stats.lateSpans} late span(s), ${stats.unattachedSpans} set aside, ${stats.badRequests} bad request(s), ${stats.runsRejected} run(s) rejected.`,
    );
    session.emitJson({ stopped: true, ...stats });
    // A run that could not be written is lost data: say so in the exit code too.
    return writeErrors > 0 ? EXIT_CODES.UNEXPECTED : EXIT_CODES.SUCCESS;
  });
}

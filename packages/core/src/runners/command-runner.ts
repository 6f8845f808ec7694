import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import type { TrialContext, TrialRunner } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';
import { teamConfigToUser } from '../workflow/team-config';
import { completeRecord, looksLikeRecord } from './complete-record';
import { findExecutable } from './find-executable';
import { splitCommand } from './split-command';

/** Options of a {@link CommandRunner}. */
export interface CommandRunnerOptions {
  /** The program and its arguments; a string is split into argv ({@link splitCommand}), never run by a shell. */
  command: string[] | string;
  /** Working directory of the command. Default: the current one. */
  cwd?: string;
  /** Extra environment variables (an undefined value removes one); the process's own are inherited. */
  env?: Record<string, string | undefined>;
  /** Team id given to the command and put on records that lack one. Default: the trial's. */
  teamId?: string;
  /** Kill a trial still running after this long and record it as timed out. Default: no limit of its own. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when a trial is stopped. Default 2000 ms. */
  killGraceMs?: number;
  /** Where the command's stderr goes: kept for error messages (`pipe`, default) or shown (`inherit`). */
  stderr?: 'pipe' | 'inherit';
}

/**
 * How much of stdout is kept (characters): the record is on the last line, and a long log must not fill
 * memory. A last line longer than this is cut, so it is not read as a record.
 */
const STDOUT_TAIL_BYTES = 4 * 1024 * 1024;
const STDERR_TAIL_BYTES = 8 * 1024;

interface ProcessOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  startMs: number;
  endMs: number;
  timedOut: boolean;
}

/**
 * The last `max` characters of a stream. Chunks are kept as they came and dropped from the front once the
 * rest holds `max`, so a command printing 100 MB costs memory for `max` characters plus a chunk, and each
 * chunk costs time for itself only (re-slicing one growing string would copy the whole tail per chunk).
 */
class TextTail {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Drop whole chunks from the front while what stays still holds `max` characters.
    let first = this.chunks[0];
    while (first !== undefined && this.chunks.length > 1 && this.size - first.length >= this.max) {
      this.chunks.shift();
      this.size -= first.length;
      first = this.chunks[0];
    }
  }

  text(): string {
    const all = this.chunks.join('');
    return all.length > this.max ? all.slice(all.length - this.max) : all;
  }
}

function lastLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines[lines.length - 1];
}

/** Sends a signal to the whole process group led by `pid` (the command and everything it started). */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') process.kill(pid, signal);
    else process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`trial cancelled${reason === undefined ? '' : `: ${typeof reason === 'string' ? reason : inspect(reason)}`}`);
}

/**
 * Runs a team by running a command once per trial, without a shell. Each trial's config is written, in the
 * user's snake_case shape, to a temporary JSON file named by `AUTOTUNE_CONFIG`; `AUTOTUNE_TEAM_ID`,
 * `AUTOTUNE_TRIAL`, `AUTOTUNE_ARM` and `AUTOTUNE_SEED` say which trial it is. If the last non-empty line of
 * stdout is a JSON execution record (autotune's camelCase or the original's snake_case, whole or partial),
 * that is the trial's record; otherwise the process is timed and exit code 0 means success. The command
 * runs in its own process group: on cancellation or timeout the whole group gets SIGTERM, then SIGKILL, and
 * anything it leaves running when it exits is killed too. Temporary files are always removed.
 */
export class CommandRunner implements TrialRunner<TeamConfig> {
  /** The program and arguments that each trial runs. */
  readonly argv: readonly string[];
  /** `argv[0]`, checked non-empty by the constructor. */
  private readonly program: string;
  private readonly options: CommandRunnerOptions;
  /** Execution ids reported so far: every trial must be a run of its own. */
  private readonly seenExecutionIds = new Set<string>();

  constructor(options: CommandRunnerOptions) {
    this.argv = typeof options.command === 'string' ? splitCommand(options.command) : [...options.command];
    const program = this.argv[0];
    if (program === undefined || program === '') {
      throw new CoreError('CORE_CONFIG_INVALID', 'the runner command is empty: expected a program and its arguments', { location: { field: 'command' } });
    }
    this.program = program;
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new CoreError('CORE_CONFIG_INVALID', `timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`, { location: { field: 'timeoutMs' } });
    }
    this.options = options;
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return { ...env, ...extra };
  }

  private get cwd(): string {
    return path.resolve(this.options.cwd ?? process.cwd());
  }

  /**
   * Checks, before the first trial, that the command can run at all.
   *
   * @throws CoreError `CORE_RUNNER_NOT_FOUND` saying what was looked for and where.
   */
  prepare(): Promise<void> {
    // Inside the executor, so that a missing command rejects rather than throws.
    return new Promise((resolve) => {
      const found = findExecutable(this.program, this.cwd, this.env());
      if (!found.path) {
        throw new CoreError('CORE_RUNNER_NOT_FOUND', `cannot run the team command "${this.program}": ${found.problem}`, {
          location: { field: 'command' },
          details: { command: [...this.argv], cwd: this.cwd },
        });
      }
      resolve();
    });
  }

  async run(config: TeamConfig, context: TrialContext): Promise<ExecutionRecord> {
    if (context.signal.aborted) throw abortError(context.signal);
    const teamId = this.options.teamId ?? context.teamId;
    const dir = await mkdtemp(path.join(tmpdir(), 'autotune-trial-'));
    try {
      const configPath = path.join(dir, 'config.json');
      await writeFile(configPath, `${JSON.stringify(teamConfigToUser(config), null, 2)}\n`);
      const env = this.env({
        AUTOTUNE_CONFIG: configPath,
        AUTOTUNE_TEAM_ID: teamId,
        AUTOTUNE_TRIAL: String(context.trial),
        AUTOTUNE_ARM: context.arm,
        AUTOTUNE_SEED: String(context.seed),
      });
      // Cancelled while the config file was written: the abort event has fired already, so check now.
      if (context.signal.aborted) throw abortError(context.signal);
      const outcome = await this.spawnOnce(env, context.signal, dir);
      const line = lastLine(outcome.stdout);
      let reported: Record<string, unknown> | undefined;
      if (line !== undefined) {
        try {
          const parsed: unknown = JSON.parse(line);
          if (looksLikeRecord(parsed)) reported = parsed;
        } catch {
          // Not JSON: the command printed no record, so the run is timed.
        }
      }
      const ok = outcome.code === 0 && !outcome.timedOut;
      const stderrLine = lastLine(outcome.stderr);
      let error: string | undefined;
      if (outcome.timedOut) error = `timed out after ${this.options.timeoutMs} ms`;
      else if (outcome.signal) error = `killed by ${outcome.signal}`;
      else if (outcome.code !== 0) error = `exited with code ${outcome.code}`;
      if (error && stderrLine) error += `: ${stderrLine.trim()}`;
      return completeRecord(
        outcome.timedOut ? undefined : reported,
        {
          config,
          teamId,
          context,
          startMs: outcome.startMs,
          endMs: outcome.endMs,
          ok,
          ...(error !== undefined && { error }),
          ...(outcome.timedOut && { limitHit: 'timeout' as const }),
          seenExecutionIds: this.seenExecutionIds,
        },
        `the last line of stdout of ${this.argv.join(' ')}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private spawnOnce(env: NodeJS.ProcessEnv, signal: AbortSignal, tempDir: string): Promise<ProcessOutcome> {
    const grace = this.options.killGraceMs ?? 2000;
    return new Promise((resolve, reject) => {
      const startMs = Date.now();
      const stdout = new TextTail(STDOUT_TAIL_BYTES);
      const stderr = new TextTail(STDERR_TAIL_BYTES);
      let timedOut = false;
      let aborted = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let escalation: NodeJS.Timeout | undefined;
      let timeout: NodeJS.Timeout | undefined;

      const child = spawn(this.program, this.argv.slice(1), {
        cwd: this.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', this.options.stderr ?? 'pipe'],
      });
      const stop = () => {
        signalGroup(child.pid, 'SIGTERM');
        escalation ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), grace);
      };
      const onAbort = () => {
        aborted = true;
        stop();
        // The caller may not wait for this trial to wind down: its files go now.
        rmSync(tempDir, { recursive: true, force: true });
      };
      const cleanup = () => {
        signal.removeEventListener('abort', onAbort);
        if (escalation) clearTimeout(escalation);
        if (timeout) clearTimeout(timeout);
      };

      // Decoded by the streams, so a character split between two chunks is not turned into U+FFFD.
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
      child.on('error', (err: NodeJS.ErrnoException) => {
        cleanup();
        const missing = err.code === 'ENOENT' || err.code === 'EACCES';
        reject(
          new CoreError(missing ? 'CORE_RUNNER_NOT_FOUND' : 'CORE_IO', `cannot run the team command "${this.program}": ${err.code === 'ENOENT' ? 'no such file or program (check the path and PATH)' : err.message}`, { location: { field: 'command' }, cause: err, details: { command: [...this.argv], cwd: this.cwd } }),
        );
      });
      child.on('exit', (code, sig) => {
        exit = { code, signal: sig };
        // Whatever the command left running in its group goes with it; otherwise a straggler holding
        // stdout open would keep this trial from ever finishing.
        signalGroup(child.pid, 'SIGKILL');
      });
      child.on('close', () => {
        cleanup();
        if (aborted) return reject(abortError(signal));
        resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, stdout: stdout.text(), stderr: stderr.text(), startMs, endMs: Date.now(), timedOut });
      });

      signal.addEventListener('abort', onAbort, { once: true });
      if (this.options.timeoutMs !== undefined) {
        timeout = setTimeout(() => {
          timedOut = true;
          stop();
        }, this.options.timeoutMs);
      }
    });
  }
}

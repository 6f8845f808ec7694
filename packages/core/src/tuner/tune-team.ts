import { summarizeVerdict, type ExperimentResult, type TrialRunner, type Verdict } from '@autotune/abtest';
import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CoreError } from '../errors';
import { holdTeamLock, type AutotuneStore, type HistoryEntry } from '../store';
import { applyConfirmation, settlePendingHistory, textHash, writeJournaled } from '../file-change';
import { renderWorkflowChange, renderWorkflowUpdate, spellChanges, teamConfigToUser, workflowFromText, type WorkflowFile } from '../workflow';
import { runTuneEngine, TuneCancelled } from './run-tune';
import { mergeSearchSpaces, validateSearchSpace } from './search-space';
import type { TuneObjective, TuneOptions, TuneOutcome } from './tune-types';

/** What `PerformanceAutotuner.tune` hands the tuner: its store, runner and settings. */
export interface TuneHost {
  store: AutotuneStore;
  runner?: TrialRunner<TeamConfig>;
  suggest: (config: TeamConfig) => Array<{ config: TeamConfig; label: string; strategy: string }> | Promise<Array<{ config: TeamConfig; label: string; strategy: string }>>;
  reviewVerdict?: (verdict: Verdict, result: ExperimentResult, before: TeamConfig, after: TeamConfig) => Verdict;
  alpha: number;
  threshold: number;
  concurrency: number;
  trialTimeoutMs?: number;
  seed: number;
  now: () => Date;
  /** Label put on records of autotune's own trials. */
  experimentLabel: string;
}

const DEFAULT_BUDGET = 150;

function checkObjective(o: unknown): TuneObjective {
  if (o === undefined) return 'duration';
  if (o === 'duration' || o === 'cost') return o;
  if (typeof o === 'object' && o !== null) {
    const { duration, cost } = o as { duration?: unknown; cost?: unknown };
    if (typeof duration === 'number' && typeof cost === 'number' && duration >= 0 && cost >= 0 && duration + cost > 0) {
      const sum = duration + cost;
      return { duration: duration / sum, cost: cost / sum };
    }
  }
  throw new CoreError('CORE_CONFIG_INVALID', `objective: expected "duration", "cost" or { duration: w, cost: w } with weights >= 0, got ${JSON.stringify(o)}`, { location: { field: 'objective' } });
}

/**
 * The whole `tune`: takes the team's lock, races and confirms through the engine, then, only when it finished
 * (not cancelled, not failed), stores the runs and experiments, writes the workflow file once and appends one
 * history entry per kept change. A cancelled tune writes nothing.
 */
export async function tuneTeam(host: TuneHost, teamId: string, input: { config: TeamConfig; file?: WorkflowFile }, options: TuneOptions): Promise<TuneOutcome> {
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (!Number.isInteger(budget) || budget < 1) throw new CoreError('CORE_CONFIG_INVALID', `budget: expected a whole number of runs >= 1, got ${String(options.budget)}`, { location: { field: 'budget' } });
  const objective = checkObjective(options.objective);
  const margin = options.successMargin ?? 2;
  if (typeof margin !== 'number' || !(margin >= 0 && margin <= 100)) throw new CoreError('CORE_CONFIG_INVALID', `successMargin: expected points between 0 and 100, got ${String(margin)}`, { location: { field: 'successMargin' } });
  const space = mergeSearchSpaces(undefined, validateSearchSpace(options.searchSpace));
  const runner = host.runner;
  if (!runner) throw new CoreError('CORE_CONFIG_INVALID', 'tune needs a trial runner: pass `runner` (a CommandRunner, FunctionRunner or the simulator)');
  const held = options.dryRun ? undefined : await holdTeamLock(host.store, teamId, 'tune');
  try {
    // What an interrupted apply, rollback or tune left pending is settled from the file's bytes first, as apply does.
    const settled = held ? await settlePendingHistory(host.store, teamId) : [];
    const base = input.config;
    const fingerprints = new Set([configFingerprint(base), configFingerprint(teamConfigToUser(base))]);
    const history: ExecutionRecord[] = [];
    const seen = new Set<string>();
    for (const fp of fingerprints) {
      for (const r of await host.store.listRecords(teamId, { fingerprint: fp })) {
        if (seen.has(r.executionId)) continue;
        seen.add(r.executionId);
        history.push(r);
      }
    }
    const suggestions = new Map<string, Array<{ config: TeamConfig; label: string; strategy: string }>>();
    for (const config of [base]) suggestions.set(configFingerprint(config), await host.suggest(config));
    let engine;
    try {
      engine = await runTuneEngine({
        teamId,
        base,
        history,
        runner,
        // Suggestions for later steps of the climb are made when they are needed (the engine asks synchronously).
        suggest: (config) => suggestions.get(configFingerprint(config)) ?? [],
        reviewVerdict: host.reviewVerdict,
        budget,
        objective,
        space,
        successMargin: margin,
        alpha: host.alpha,
        threshold: host.threshold,
        concurrency: host.concurrency,
        trialTimeoutMs: host.trialTimeoutMs,
        seed: host.seed,
        signal: options.signal,
        onEvent: options.onEvent,
        prepareStep: async (config: TeamConfig) => {
          const fp = configFingerprint(config);
          if (!suggestions.has(fp)) suggestions.set(fp, await host.suggest(config));
        },
      });
    } catch (e) {
      if (e instanceof TuneCancelled) {
        options.signal?.throwIfAborted();
      }
      throw e;
    }
    options.signal?.throwIfAborted();
    // Keys also as the workflow file spells them, for the output and the history (each step from its own config).
    if (input.file) for (const s of engine.steps) for (const r of s.race.standings) r.changes = spellChanges(input.file, r.changes, s.from);
    const outcome: TuneOutcome = {
      teamId,
      budget,
      runsUsed: engine.runsUsed,
      objective,
      initialConfig: base,
      finalConfig: engine.finalConfig,
      steps: engine.steps,
      stopReason: engine.stopReason,
      historyIds: [],
      settled,
    };
    if (options.dryRun) return outcome;

    // Everything below runs only for a tune that finished: a cancelled one has thrown above.
    await host.store.writeMany(engine.records.map(({ record, purpose }) => ({ ...record, labels: { ...record.labels, [host.experimentLabel]: purpose } })));
    const entries: Array<Omit<HistoryEntry, 'id'>> = [];
    const keptSteps: typeof engine.steps = [];
    // One id for every change this tune keeps: `rollback --apply ID` undoes the whole tune in one command.
    const applyId = engine.steps.some((s) => s.kept && s.to) ? randomUUID().slice(0, 8) : undefined;
    for (const [i, s] of engine.steps.entries()) {
      if (!s.confirm) continue;
      const winner = s.race.standings.find((x) => x.id === s.race.winner)!;
      s.experimentId = await host.store.saveExperiment({
        teamId,
        createdAt: host.now().toISOString(),
        label: `tune step ${i + 1}: ${winner.label}`,
        metric: objective === 'cost' ? 'cost' : 'duration',
        baselineConfig: s.from,
        candidateConfig: winner.config,
        result: s.confirm.result,
        verdict: s.confirm.verdict,
      });
      if (!s.kept || !s.to) continue;
      entries.push({
        teamId,
        timestamp: host.now().toISOString(),
        optimization: {
          type: 'tune',
          strategy: winner.strategy ?? 'tuner',
          description: `tune step ${i + 1}: ${winner.label}`,
          targetMetric: objective === 'cost' ? 'cost' : 'duration',
          changes: winner.changes,
          race: { rounds: s.race.rounds, runs: s.race.runs, candidates: s.race.standings.length - 1 },
        },
        validationStatus: s.confirm.verdict.status,
        status: 'applied',
        improvementPercentage: s.confirm.verdict.improvementPercentage,
        configBefore: s.from,
        configAfter: s.to,
        fingerprintBefore: configFingerprint(s.from),
        fingerprintAfter: configFingerprint(s.to),
        experimentId: s.experimentId,
        evidence: summarizeVerdict(s.confirm.verdict),
        reason: s.confirm.reason,
        ...(applyId !== undefined ? { applyId } : {}),
      });
      keptSteps.push(s);
    }
    if (entries.length === 0 || applyId === undefined) return outcome;
    outcome.applyId = applyId;
    let ids: number[];
    if (!input.file) {
      // No file to write: the entries land in one history write, together or not at all.
      ids = await host.store.writeHistory({ append: entries });
    } else {
      const file = input.file;
      const onDisk = await readFile(file.path, 'utf8').catch((err: unknown) => {
        throw new CoreError('CORE_IO', `cannot re-read ${file.path} before writing it: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      });
      if (onDisk !== file.text) throw new CoreError('CORE_IO', `${file.path} changed on disk while autotune was tuning; nothing was written. Run tune again on the new file.`);
      const final = configFingerprint(engine.finalConfig) === configFingerprint(file.config) ? { text: file.text, comments: [] } : renderWorkflowChange(file, engine.finalConfig);
      const finalText = final.text;
      // What is written must load again as this team's workflow.
      workflowFromText(file.path, finalText, file.teamId, file.format);
      keptSteps.forEach((s, i) => {
        const before = sameText(file, s.from);
        const after = sameText(file, s.to!);
        // entries and keptSteps are pushed together, one entry per kept step.
        Object.assign(entries[i]!, { status: 'pending', filePath: file.path, fileTextBefore: before, fileTextAfter: after, fileHashBefore: textHash(before), fileHashAfter: textHash(after) });
      });
      // The journaled write `apply` uses: intent recorded, file replaced atomically, intent confirmed, so that a
      // crash or SIGTERM at any point leaves file and history agreeing (docs/reliability.md).
      const written = await writeJournaled({
        store: host.store,
        kind: 'apply',
        teamId,
        filePath: file.path,
        textBefore: file.text,
        textAfter: finalText,
        backup: options.backup ?? true,
        now: host.now(),
        intent: (backup) => ({ append: entries.map((e) => (backup ? { ...e, backupPath: backup } : e)) }),
        confirm: (appended) => applyConfirmation(appended),
        confirmLock: async () => {
          await held?.confirm();
        },
      });
      ids = written.ids;
      outcome.written = { path: file.path, ...(written.backupPath ? { backupPath: written.backupPath } : {}), comments: final.comments };
    }
    keptSteps.forEach((s, i) => (s.historyId = ids[i]!)); // one entry, and so one id, per kept step
    outcome.historyIds.push(...ids);
    return outcome;
  } finally {
    await held?.release();
  }
}

function sameText(file: WorkflowFile, config: TeamConfig): string {
  return configFingerprint(config) === configFingerprint(file.config) ? file.text : renderWorkflowUpdate(file, config);
}

import { evaluateExperiment } from '@autotune/abtest';
import type { ExperimentResult, TrialSample } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import type { HistoryEntry, StoredExperiment } from '../store/store-types';

/** An execution record of `teamId`, the `i`-th of a series one minute apart. */
export function sampleStoreRecord(teamId: string, i: number, extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  const startTimeMs = 1_736_935_000_000 + i * 60_000;
  return {
    teamId,
    executionId: `${teamId}-${i}`,
    startTimeMs,
    endTimeMs: startTimeMs + 30_000 + i,
    durationSeconds: 30 + i / 1000,
    success: i % 4 !== 3,
    formation: 'parallel',
    memberCount: 3,
    toolCalls: 10 + i,
    members: [{ memberId: 'a', success: true, durationSeconds: 10, toolCalls: 4 }],
    ...extra,
  };
}

/** A history entry of `teamId` with every field a real apply fills. */
export function sampleHistoryEntry(teamId: string, n: number, extra: Partial<HistoryEntry> = {}): Omit<HistoryEntry, 'id'> {
  return {
    teamId,
    timestamp: new Date(Date.UTC(2025, 0, 15, 10, n)).toISOString(),
    optimization: {
      type: 'team_sizing',
      strategy: 'team_sizing',
      description: `change ${n}`,
      targetMetric: 'duration',
      suggestedConfig: { memberCount: 3 },
      changes: [
        { key: 'member_count', before: 5, after: 3 },
        { key: 'members[0].enabled', before: true, after: false },
      ],
    },
    validationStatus: 'passed',
    status: 'applied',
    improvementPercentage: 12.5,
    configBefore: { formation: 'parallel', memberCount: 5 },
    configAfter: { formation: 'parallel', memberCount: 3, members: [{ id: 'x', enabled: false }] },
    fingerprintBefore: 'aaaa',
    fingerprintAfter: 'bbbb',
    filePath: '/tmp/workflow.yaml',
    fileTextBefore: '# before\nmember_count: 5\n',
    fileTextAfter: '# after\nmember_count: 3\n',
    fileHashBefore: 'a'.repeat(64),
    fileHashAfter: 'b'.repeat(64),
    backupPath: '/tmp/.autotune/backups/workflow.yaml.bak',
    applyId: `apply-${n}`,
    ...extra,
  };
}

/** An experiment of 2 x 10 trials, one of them failed and timed out, with its verdict. */
export function sampleStoredExperiment(teamId: string): StoredExperiment {
  const sample = (arm: TrialSample['arm'], trial: number): TrialSample => ({
    arm,
    trial,
    record: sampleStoreRecord(teamId, trial, { durationSeconds: arm === 'baseline' ? 40 + (trial % 3) : 30 + (trial % 5), labels: { arm } }),
    ...(trial === 7 ? { error: 'runner crashed', timedOut: true } : {}),
  });
  const result: ExperimentResult = {
    teamId,
    baseline: Array.from({ length: 10 }, (_, i) => sample('baseline', 2 * i)),
    candidate: Array.from({ length: 10 }, (_, i) => sample('candidate', 2 * i + 1)),
    runsPerArm: 10,
    seed: 42,
    startedAt: '2025-01-15T10:00:00.000Z',
    finishedAt: '2025-01-15T10:20:00.000Z',
    cancelled: false,
    order: 'interleaved',
  };
  return {
    teamId,
    createdAt: '2025-01-15T10:20:00.000Z',
    label: 'apply',
    metric: 'duration',
    baselineConfig: { formation: 'sequential', memberCount: 5 },
    candidateConfig: { formation: 'parallel', memberCount: 5 },
    result,
    verdict: evaluateExperiment(result, { seed: 42, resamples: 200 }),
  };
}

import { AbtestError, evaluateExperiment, runExperiment, type TrialRunner, type TrialSample } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import { record, simRunner, type SimConfig } from './support';

const A: SimConfig = { mean: 60, sd: 6 };
const B: SimConfig = { mean: 48, sd: 6 };

function base<C>(runner: TrialRunner<C>, baseline: C, candidate: C) {
  return { teamId: 'team', baseline, candidate, runner, seed: 1 };
}

/** A runner that answers after a macrotask, recording how many trials overlap. */
function overlapRunner(): { runner: TrialRunner<string>; maxInFlight: () => number; contexts: Parameters<TrialRunner<string>['run']>[1][] } {
  let inFlight = 0;
  let max = 0;
  const contexts: Parameters<TrialRunner<string>['run']>[1][] = [];
  return {
    contexts,
    maxInFlight: () => max,
    runner: {
      run: async (config, ctx) => {
        contexts.push(ctx);
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return record(config === 'a' ? 10 : 9);
      },
    },
  };
}

describe('runExperiment', () => {
  it('runs each arm runsPerArm times (default 10) and records how', async () => {
    const r = await runExperiment(base(simRunner(), A, B));
    expect(r.baseline).toHaveLength(10);
    expect(r.candidate).toHaveLength(10);
    expect(r.runsPerArm).toBe(10);
    expect(r).toMatchObject({ teamId: 'team', seed: 1, cancelled: false, order: 'interleaved' });
    expect(r.baseline.every((s) => s.arm === 'baseline')).toBe(true);
    expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
  });

  it('interleaves in randomised blocks: every pair of trials holds one run of each arm, in both orders', async () => {
    const r = await runExperiment({ ...base(simRunner(), A, B), runsPerArm: 20 });
    const byTrial = [...r.baseline, ...r.candidate].sort((p, q) => p.trial - q.trial);
    expect(byTrial.map((s) => s.trial)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const blocks = Array.from({ length: 20 }, (_, i) => (byTrial[2 * i]?.arm.charAt(0) ?? '') + (byTrial[2 * i + 1]?.arm.charAt(0) ?? ''));
    expect(new Set(blocks)).toEqual(new Set(['bc', 'cb']));
  });

  it('the same seed gives the same schedule and samples; another seed another schedule', async () => {
    const order = (r: { baseline: TrialSample[] }) => r.baseline.map((s) => s.trial).join(',');
    const r1 = await runExperiment(base(simRunner(), A, B));
    const r2 = await runExperiment(base(simRunner(), A, B));
    const r3 = await runExperiment({ ...base(simRunner(), A, B), seed: 2 });
    expect(order(r2)).toBe(order(r1));
    expect(r2.candidate.map((s) => s.record.durationSeconds)).toEqual(r1.candidate.map((s) => s.record.durationSeconds));
    expect(order(r3)).not.toBe(order(r1));
  });

  it("'blocked' runs every baseline trial first", async () => {
    const r = await runExperiment({ ...base(simRunner(), A, B), order: 'blocked' });
    expect(r.baseline.map((s) => s.trial)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(r.candidate.map((s) => s.trial)).toEqual(Array.from({ length: 10 }, (_, i) => i + 10));
  });

  it('gives each trial its context: arm, index, team and a seed of its own', async () => {
    const o = overlapRunner();
    await runExperiment(base(o.runner, 'a', 'b'));
    expect(o.contexts).toHaveLength(20);
    expect(new Set(o.contexts.map((c) => c.seed)).size).toBe(20);
    expect(o.contexts.every((c) => c.teamId === 'team' && c.signal instanceof AbortSignal)).toBe(true);
    expect(o.contexts.map((c) => c.trial)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('a runner that throws yields failed samples; the experiment completes', async () => {
    const runner: TrialRunner<string> = {
      run: (config, ctx) => (config === 'b' && ctx.trial % 3 === 0 ? Promise.reject(new Error('agent crashed')) : Promise.resolve(record(10))),
    };
    const r = await runExperiment(base(runner, 'a', 'b'));
    const failed = r.candidate.filter((s) => s.error);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      expect(s.record).toMatchObject({ success: false, error: 'agent crashed', teamId: 'team', toolCalls: 0 });
      expect(s.record.durationSeconds).toBeGreaterThanOrEqual(0);
      expect(s.record.configFingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(s.timedOut).toBeUndefined();
    }
    expect(r.baseline.every((s) => s.record.success)).toBe(true);
  });

  it('a runner error marked stopsExperiment ends the experiment with that error instead of failing one trial', async () => {
    let calls = 0;
    const broken = Object.assign(new Error('the runner printed a record for another team'), { stopsExperiment: true });
    const runner: TrialRunner<string> = {
      run: (_config, ctx) => {
        calls++;
        return ctx.trial === 2 ? Promise.reject(broken) : Promise.resolve(record(10));
      },
    };
    await expect(runExperiment(base(runner, 'a', 'b'))).rejects.toBe(broken);
    // Trials after the broken one are never started (concurrency 1).
    expect(calls).toBe(3);
  });

  it('a runner that throws synchronously, or returns no record, also yields failed samples', async () => {
    const runner: TrialRunner<string> = {
      run: (config) => {
        if (config === 'a') throw new Error('sync failure');
        return Promise.resolve({ durationSeconds: 'soon' } as unknown as ExecutionRecord);
      },
    };
    const r = await runExperiment(base(runner, 'a', 'b'));
    expect(r.baseline.every((s) => s.error === 'sync failure')).toBe(true);
    expect(r.candidate[0]?.error).toMatch(/invalid record: durationSeconds/);
  });

  it('a trial that hangs past timeoutMs is aborted through its signal and becomes a failed, timed-out sample', async () => {
    const abortedSignals: AbortSignal[] = [];
    const runner: TrialRunner<string> = {
      run: (config, ctx) => {
        if (config === 'a' || ctx.trial > 3) return Promise.resolve(record(1));
        abortedSignals.push(ctx.signal);
        // Hangs until aborted, then rejects as a well-behaved runner does.
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    const r = await runExperiment({ ...base(runner, 'a', 'b'), timeoutMs: 20 });
    const hung = r.candidate.filter((s) => s.timedOut);
    expect(hung.length).toBe(abortedSignals.length);
    expect(hung.length).toBeGreaterThan(0);
    expect(abortedSignals.every((s) => s.aborted)).toBe(true);
    for (const s of hung) {
      expect(s.record).toMatchObject({ success: false, durationSeconds: 0.02, limitHit: 'timeout', timeoutSeconds: 0.02 });
      expect(s.error).toBe('timed out after 20 ms');
    }
  });

  it('a runner that ignores its signal is left behind at the timeout', async () => {
    const runner: TrialRunner<string> = { run: (config) => (config === 'a' ? Promise.resolve(record(1)) : new Promise<ExecutionRecord>(() => undefined)) };
    const r = await runExperiment({ ...base(runner, 'a', 'b'), timeoutMs: 5, concurrency: 4 });
    expect(r.candidate.every((s) => s.timedOut)).toBe(true);
  });

  it.each([1, 3, 7])('never runs more than concurrency = %d trials at once, and uses all of it', async (concurrency) => {
    const o = overlapRunner();
    await runExperiment({ ...base(o.runner, 'a', 'b'), concurrency });
    expect(o.maxInFlight()).toBe(concurrency);
  });

  it('reports progress after every trial', async () => {
    const seen: [number, number, string][] = [];
    await runExperiment({ ...base(simRunner(), A, B), onProgress: (p) => seen.push([p.completed, p.total, p.sample.arm]) });
    expect(seen.map((s) => s[0])).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(seen.every((s) => s[1] === 20)).toBe(true);
  });

  it('cancels: rejects with ABTEST_CANCELLED, aborts running trials, keeps the finished samples', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const runner: TrialRunner<string> = {
      run: async (_config, ctx) => {
        signals.push(ctx.signal);
        await new Promise((r) => setImmediate(r));
        return record(1);
      },
    };
    const p = runExperiment({ ...base(runner, 'a', 'b'), concurrency: 2, signal: controller.signal, onProgress: (x) => x.completed === 5 && controller.abort(new Error('user pressed Ctrl-C')) });
    const e = (await p.catch((x: unknown) => x)) as AbtestError;
    expect(e).toBeInstanceOf(AbtestError);
    expect(e.code).toBe('ABTEST_CANCELLED');
    expect((e.cause as Error).message).toBe('user pressed Ctrl-C');
    expect(e.partialResult?.cancelled).toBe(true);
    expect(e.partialResult!.baseline.length + e.partialResult!.candidate.length).toBe(5);
    expect(signals.length).toBeLessThan(20);
    expect(signals.at(-1)?.aborted).toBe(true);
  });

  it('an already-aborted signal rejects before any trial runs', async () => {
    const run = jest.fn(() => Promise.resolve(record(1)));
    await expect(runExperiment({ ...base({ run }, 'a', 'b'), signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABTEST_CANCELLED' });
    expect(run).not.toHaveBeenCalled();
  });

  it('a failing prepare() fails the experiment before any trial', async () => {
    const run = jest.fn(() => Promise.resolve(record(1)));
    const prepare = () => Promise.reject(new Error('command not found: run-team'));
    await expect(runExperiment(base({ run, prepare }, 'a', 'b'))).rejects.toMatchObject({ code: 'ABTEST_PREPARE_FAILED', message: expect.stringContaining('command not found') });
    expect(run).not.toHaveBeenCalled();
  });

  it('an error thrown by onProgress rejects the experiment with that error', async () => {
    const boom = new Error('progress bar broke');
    await expect(runExperiment({ ...base(simRunner(), A, B), onProgress: () => { throw boom; } })).rejects.toBe(boom);
  });

  it.each([
    ['runsPerArm below 10', { runsPerArm: 9 }],
    ['a fractional runsPerArm', { runsPerArm: 10.5 }],
    ['concurrency 0', { concurrency: 0 }],
    ['a negative timeout', { timeoutMs: -1 }],
    ['an unknown order', { order: 'random' }],
    ['a fractional seed', { seed: 0.5 }],
    ['an empty team id', { teamId: '' }],
    ['lookEvery below 10', { earlyStopping: { lookEvery: 5 } }],
  ])('rejects %s with ABTEST_INVALID_INPUT', async (_name, extra) => {
    await expect(runExperiment({ ...base(simRunner(), A, B), ...(extra as object) })).rejects.toMatchObject({ code: 'ABTEST_INVALID_INPUT' });
  });

  it('a default seed is drawn and recorded, so the schedule can be replayed', async () => {
    const r = await runExperiment({ teamId: 't', baseline: A, candidate: B, runner: simRunner() });
    expect(Number.isSafeInteger(r.seed)).toBe(true);
    const again = await runExperiment({ teamId: 't', baseline: A, candidate: B, runner: simRunner(), seed: r.seed });
    expect(again.baseline.map((s) => s.trial)).toEqual(r.baseline.map((s) => s.trial));
  });
});

describe('runExperiment with early stopping', () => {
  const design = { runsPerArm: 30, earlyStopping: true } as const;

  it('stops at the first look when the improvement is overwhelming, and the verdict agrees', async () => {
    const r = await runExperiment({ ...base(simRunner(), { mean: 60, sd: 2 }, { mean: 40, sd: 2 }), ...design });
    expect(r.stoppedEarly).toMatchObject({ look: 1, runsPerArm: 10, status: 'passed' });
    expect(r.baseline).toHaveLength(10);
    expect(r.sequential?.looks).toEqual([10, 20, 30]);
    const v = evaluateExperiment(r);
    expect(v.status).toBe('passed');
    expect(v.sequential).toMatchObject({ look: 1, looks: 3, stoppedEarly: true });
    expect(v.sequential!.nominalAlpha).toBeLessThan(0.001);
  });

  it('stops for futility when the candidate measures worse, with the verdict inconclusive', async () => {
    const r = await runExperiment({ ...base(simRunner(), A, { mean: 62, sd: 6 }), ...design });
    expect(r.stoppedEarly).toMatchObject({ look: 1, status: 'inconclusive' });
    const v = evaluateExperiment(r);
    expect(v.status).toBe('inconclusive');
    expect(v.reasonCodes).toContain('measured_worse');
  });

  it('stops as failed when a guardrail breaks at a look', async () => {
    const r = await runExperiment({ ...base(simRunner(), { ...A, successRate: 1 }, { ...B, successRate: 0.3 }), ...design });
    expect(r.stoppedEarly).toMatchObject({ look: 1, status: 'failed' });
  });

  it('runs to the end when the answer is not clear, and judges the last look at its nominal level', async () => {
    const r = await runExperiment({ ...base(simRunner(), A, { mean: 57, sd: 6 }), ...design, earlyStopping: { futility: false } });
    expect(r.stoppedEarly).toBeUndefined();
    expect(r.baseline).toHaveLength(30);
    const v = evaluateExperiment(r);
    expect(v.sequential).toMatchObject({ look: 3, stoppedEarly: false });
    expect(v.sequential!.nominalAlpha).toBeCloseTo(r.sequential!.nominalAlpha[2] ?? Number.NaN, 12);
  });

  it('evaluateExperiment refuses settings that contradict the design', async () => {
    const r = await runExperiment({ ...base(simRunner(), A, B), ...design });
    expect(() => evaluateExperiment(r, { alpha: 0.1 })).toThrow(/designed for alpha = 0.05/);
    expect(evaluateExperiment(r, { alpha: 0.05, threshold: 5, metric: 'duration' }).status).toBe('passed');
  });
});

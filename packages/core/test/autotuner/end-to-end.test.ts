import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TeamConfig } from '@autotune/strategies';
import type { TrialRunner } from '@autotune/abtest';
import {
  CommandRunner,
  loadWorkflowFile,
  openDefaultDatabasePath,
  PerformanceAutotuner,
  SqliteStore,
  teamConfigFromUser,
} from '../../src';
import { PerformanceAnalyzer } from '@autotune/analyzer';
// Core does not depend on the simulator; its tests use it (a devDependency) as a real trial runner.
import { generateRuns, loadScenario } from '@autotune/simulator';

// Twenty real runner processes per experiment: generous on a busy CI machine.
jest.setTimeout(120_000);

const fixtures = path.join(__dirname, '..', 'fixtures', 'autotuner');
const TEAM = 'release_audit_team';

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-e2e-'));
  const workflowPath = path.join(dir, 'workflow.yaml');
  fs.copyFileSync(path.join(fixtures, 'workflow.yaml'), workflowPath);
  return { dir, workflowPath, original: fs.readFileSync(workflowPath) };
}

function analyzerWithHistory(): PerformanceAnalyzer {
  const scenario = loadScenario('sequential-independent');
  const analyzer = new PerformanceAnalyzer();
  analyzer.loadMetrics(generateRuns(scenario.model, teamConfigFromUser(scenario.workflow), { runs: 40, seed: 5, teamId: TEAM }));
  return analyzer;
}

function openStore(workflowPath: string) {
  const db = new Database(openDefaultDatabasePath(workflowPath));
  return { db, store: SqliteStore.open(db) };
}

describe('apply and roll back end to end: CommandRunner, a commented YAML file, a SQLite database', () => {
  it('applies a passing change to the file, keeps comments, survives a new process, and rolls back byte for byte', async () => {
    const { dir, workflowPath, original } = workspace();
    const { db, store } = openStore(workflowPath);
    const runner = new CommandRunner({ command: [process.execPath, path.join(fixtures, 'team-run.js')], teamId: TEAM });
    const autotuner = new PerformanceAutotuner({ analyzer: analyzerWithHistory(), store, runner, seed: 9 });

    const file = await loadWorkflowFile(workflowPath, TEAM);
    const suggestions = await autotuner.suggestOptimizations(TEAM, file);
    const toParallel = suggestions.find((s) => s.resultingConfig.formation === 'parallel');
    expect(toParallel).toBeDefined();

    const outcome = await autotuner.applyOptimizations(TEAM, [toParallel!], file);
    const result = outcome.results[0]!;
    expect(result.validationStatus).toBe('passed');
    expect(result.improvementPercentage).toBeGreaterThan(50);
    expect(outcome.written?.path).toBe(workflowPath);

    const text = fs.readFileSync(workflowPath, 'utf8');
    expect(text).toMatch(/^formation: parallel # run one after another \(habit, not need\)$/m);
    for (const comment of ['# Release audit team', '# calls per run, shared by the team', "# The auditors never read each other's output."]) {
      expect(text).toContain(comment);
    }
    expect(text.replace('formation: parallel', 'formation: sequential')).toBe(original.toString('utf8'));
    expect(fs.readFileSync(outcome.written!.backupPath!)).toEqual(original);
    // The runner cleaned up after itself.
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('workflow.yaml') && f !== '.autotune')).toEqual([]);
    db.close();

    // A new process sees the history.
    const listed = execFileSync(
      process.execPath,
      ['-e', `const D=require('better-sqlite3');const d=new D(process.argv[1]);console.log(JSON.stringify(d.prepare("select count(*) n from sqlite_master where type='table'").get()));`, openDefaultDatabasePath(workflowPath)],
      { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    expect(JSON.parse(listed).n).toBeGreaterThan(0);

    const reopened = openStore(workflowPath);
    const later = new PerformanceAutotuner({ store: reopened.store });
    const history = await later.getOptimizationHistory(TEAM);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'applied', validationStatus: 'passed', filePath: workflowPath });
    expect((await reopened.store.getExperiment(history[0]!.experimentId!))!.result.candidate).toHaveLength(10);

    const rollback = await later.rollbackOptimization(TEAM, 0);
    expect(rollback.success).toBe(true);
    expect(fs.readFileSync(workflowPath)).toEqual(original);
    expect((await later.getOptimizationHistory(TEAM)).map((h) => h.status)).toEqual(['rollback', 'rolled_back']);
    await expect(later.rollbackOptimization(TEAM, 0)).rejects.toMatchObject({ code: 'CORE_ROLLBACK' });
    reopened.db.close();
  });

  it('leaves the file byte for byte as it was when the apply is cancelled', async () => {
    const { workflowPath, original } = workspace();
    const { db, store } = openStore(workflowPath);
    const runner = new CommandRunner({ command: [process.execPath, path.join(fixtures, 'team-run.js')], teamId: TEAM });
    const autotuner = new PerformanceAutotuner({ analyzer: analyzerWithHistory(), store, runner, seed: 9 });
    const file = await loadWorkflowFile(workflowPath, TEAM);
    const suggestions = await autotuner.suggestOptimizations(TEAM, file);
    const controller = new AbortController();
    await expect(
      autotuner.applyOptimizations(TEAM, suggestions, file, { signal: controller.signal, onProgress: (p) => p.completed === 3 && controller.abort() }),
    ).rejects.toThrow();
    expect(fs.readFileSync(workflowPath)).toEqual(original);
    expect(await autotuner.getOptimizationHistory(TEAM)).toEqual([]);
    db.close();
  });

  it('refuses to write when the file changed on disk during the A/B test', async () => {
    const { workflowPath } = workspace();
    const { db, store } = openStore(workflowPath);
    let edited = false;
    const runner: TrialRunner<TeamConfig> = {
      run(config, ctx) {
        if (!edited) {
          fs.appendFileSync(workflowPath, '# edited by a colleague\n');
          edited = true;
        }
        const d = config.formation === 'parallel' ? 30 + (ctx.trial % 3) : 100 + (ctx.trial % 3);
        return Promise.resolve({ teamId: TEAM, executionId: `t${ctx.trial}`, startTimeMs: 0, endTimeMs: d * 1000, durationSeconds: d, success: true, memberCount: config.memberCount, toolCalls: 1, members: [] });
      },
    };
    const autotuner = new PerformanceAutotuner({ analyzer: analyzerWithHistory(), store, runner, seed: 2 });
    const file = await loadWorkflowFile(workflowPath, TEAM);
    const toParallel = (await autotuner.suggestOptimizations(TEAM, file)).find((s) => s.resultingConfig.formation === 'parallel')!;
    await expect(autotuner.applyOptimizations(TEAM, [toParallel], file)).rejects.toMatchObject({ code: 'CORE_IO' });
    expect(fs.readFileSync(workflowPath, 'utf8')).toMatch(/# edited by a colleague\n$/);
    expect(await autotuner.getOptimizationHistory(TEAM)).toEqual([]);
    db.close();
  });

  it('serialises two applies on one team: the second gets a clear "in progress" error', async () => {
    const { workflowPath } = workspace();
    const first = openStore(workflowPath);
    const second = openStore(workflowPath);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slowRunner: TrialRunner<TeamConfig> = {
      async run(config, ctx) {
        started();
        await gate;
        const d = config.formation === 'parallel' ? 30 + (ctx.trial % 4) : 100 + (ctx.trial % 4);
        return { teamId: TEAM, executionId: `s${ctx.trial}`, startTimeMs: 0, endTimeMs: d * 1000, durationSeconds: d, success: true, memberCount: config.memberCount, toolCalls: 1, members: [] };
      },
    };
    const a = new PerformanceAutotuner({ analyzer: analyzerWithHistory(), store: first.store, runner: slowRunner, seed: 1 });
    const b = new PerformanceAutotuner({ analyzer: analyzerWithHistory(), store: second.store, runner: slowRunner, seed: 1 });
    const fileA = await loadWorkflowFile(workflowPath, TEAM);
    const fileB = await loadWorkflowFile(workflowPath, TEAM);
    const suggestion = (await a.suggestOptimizations(TEAM, fileA)).find((s) => s.resultingConfig.formation === 'parallel')!;

    const applying = a.applyOptimizations(TEAM, [suggestion], fileA);
    await running;
    await expect(b.applyOptimizations(TEAM, [suggestion], fileB)).rejects.toMatchObject({ code: 'CORE_LOCKED', message: expect.stringMatching(/another apply is in progress/) });
    release();
    const outcome = await applying;
    expect(outcome.results[0]!.validationStatus).toBe('passed');
    // Once the first is done the lock is free again.
    const again = await b.applyOptimizations(TEAM, [suggestion], await loadWorkflowFile(workflowPath, TEAM), { enableAbTesting: false });
    expect(again.results[0]!.error).toMatch(/already in force/);
    first.db.close();
    second.db.close();
  });
});

// kill -9 of the built `autotune` at random moments of `apply` and `rollback`; after each, the workflow file and the
// history must agree and the next command must succeed. Counts go into docs/reliability.md.
//
//   npm run build && node tools/reliability/random-kills.mjs [--kills 100] [--seed 1]
//
// Each kill runs in a fresh folder with a real workflow file and SQLite database. The moment is drawn uniformly from
// 0 to 1.2x the command's own duration (measured first, uninterrupted), so kills land in start-up, in the work and
// after the end alike. Exit code 1 when any case disagrees.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(path.join(root, 'packages', 'core', 'package.json'));
const Database = require('better-sqlite3');
const BIN = path.join(root, 'packages', 'cli', 'dist', 'bin.js');
const WORKFLOW = path.join(root, 'examples', 'workflows', 'code-review-parallel-budget.yaml');
const METRICS = path.join(root, 'examples', 'metrics', 'code-review-parallel-budget.jsonl');
const TEAM = 'code_review_team';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const kills = option('--kills', 100);
let state = option('--seed', 1) >>> 0;
/** mulberry32: the kill moments repeat for a seed (the machine's timing does not). */
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const APPLY = ['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--auto', '--no-ab-test'];
const ROLLBACK = ['rollback', '--team-id', TEAM, '--config', 'workflow.yaml'];

function project() {
  const dir = mkdtempSync(path.join(tmpdir(), 'autotune-kills-'));
  copyFileSync(WORKFLOW, path.join(dir, 'workflow.yaml'));
  copyFileSync(METRICS, path.join(dir, 'metrics.jsonl'));
  return { dir, workflow: path.join(dir, 'workflow.yaml'), db: path.join(dir, '.autotune', 'autotune.db'), original: readFileSync(WORKFLOW, 'utf8') };
}

function run(cwd, argv) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** Starts the command and kills it with SIGKILL after `delayMs`; resolves with how it ended. */
function runAndKill(cwd, argv, delayMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started });
    });
  });
}

function history(db) {
  // A command killed during start-up may not have created the database yet.
  if (!existsSync(db)) return [];
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT id, status, json FROM history ORDER BY id DESC').all().map((r) => ({ ...JSON.parse(r.json), id: r.id, status: r.status }));
  } finally {
    d.close();
  }
}

/** Whether file and history agree once nothing is pending: returns a problem, or undefined. */
function disagreement(p) {
  const entries = history(p.db);
  if (entries.some((e) => e.status === 'pending')) return 'a pending entry was left after the next command';
  const applied = entries.filter((e) => e.status === 'applied');
  const text = readFileSync(p.workflow, 'utf8');
  if (applied.length === 0) return text === p.original ? undefined : 'no applied change, but the file differs from its first bytes';
  return text === applied[0].fileTextAfter ? undefined : `history says #${applied[0].id} is in force, but the file holds other bytes`;
}

function timeOf(argvFor) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const p = project();
    if (argvFor === ROLLBACK) run(p.dir, APPLY);
    const start = Date.now();
    const r = run(p.dir, argvFor);
    times.push(Date.now() - start);
    rmSync(p.dir, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`an uninterrupted ${argvFor[0]} failed: ${r.stderr}`);
  }
  return times.sort((a, b) => a - b)[1];
}

const duration = { apply: timeOf(APPLY), rollback: timeOf(ROLLBACK) };
const tally = { apply: newTally(), rollback: newTally() };
function newTally() {
  return { kills: 0, diedByKill: 0, finishedFirst: 0, fileChanged: 0, settled: 0, agreed: 0, nextSucceeded: 0, problems: [] };
}

for (let i = 0; i < kills; i++) {
  const kind = i % 2 === 0 ? 'apply' : 'rollback';
  const t = tally[kind];
  const p = project();
  try {
    if (kind === 'rollback' && run(p.dir, APPLY).status !== 0) throw new Error('the apply before the rollback failed');
    const before = readFileSync(p.workflow, 'utf8');
    const delay = Math.round(random() * 1.2 * duration[kind]);
    const ended = await runAndKill(p.dir, kind === 'apply' ? APPLY : ROLLBACK, delay);
    t.kills++;
    if (ended.signal === 'SIGKILL') t.diedByKill++;
    else t.finishedFirst++;
    const now = readFileSync(p.workflow, 'utf8');
    if (now !== before) t.fileChanged++;
    // The next command: undo the apply whose bytes are in the file (by its id, as the undo hint does), else apply.
    const applyId = history(p.db).find((e) => e.applyId)?.applyId;
    const next = now !== p.original && applyId ? run(p.dir, ['rollback', '--team-id', TEAM, '--apply', applyId, '--db', p.db]) : run(p.dir, APPLY);
    if (/Settled an interrupted/.test(next.stderr)) t.settled++;
    if (next.status === 0) t.nextSucceeded++;
    else t.problems.push(`#${i} ${kind} killed at ${delay} ms: the next command exited ${next.status}: ${next.stderr.trim()}`);
    const problem = disagreement(p);
    if (problem) t.problems.push(`#${i} ${kind} killed at ${delay} ms: ${problem}`);
    else t.agreed++;
  } catch (e) {
    t.problems.push(`#${i} ${kind}: ${e.message}`);
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
  if ((i + 1) % 10 === 0) process.stderr.write(`${i + 1}/${kills}\n`);
}

console.log(JSON.stringify({ node: process.version, durationMs: duration, tally }, null, 2));
process.exitCode = tally.apply.problems.length + tally.rollback.problems.length > 0 ? 1 : 0;

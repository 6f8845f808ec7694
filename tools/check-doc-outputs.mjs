#!/usr/bin/env node
// Captured outputs in README.md, docs/*.md and package READMEs are regenerated from real runs, so they
// cannot go stale. A block to keep true is marked in the Markdown by a comment on the line before its fence:
//
//   <!-- output: demo-apply-first -->
//   ```
//   ...the real output...
//   ```
//
// The name picks an excerpt below, taken from a real run: the README demo (`node examples/demo/run-demo.mjs`,
// the same program users run) or a script of a package README run against the built packages. Only what
// truly varies between runs is normalised: the demo's temporary folder and the times in backup file names.
//
//   node tools/check-doc-outputs.mjs           exit 1 and show the difference when a block differs
//   node tools/check-doc-outputs.mjs --write   rewrite the blocks from the real runs
//
// Uses the BUILT packages: run `npm run build` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const write = process.argv.includes('--write');
const DOCS = ['README.md', ...['docs', 'docs/strategies'].flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`)),
  ...fs.readdirSync(path.join(root, 'packages')).map((p) => `packages/${p}/README.md`).filter((f) => fs.existsSync(path.join(root, f)))];

function fail(message) {
  console.error(`check-doc-outputs: ${message}`);
  process.exit(2);
}
if (!fs.existsSync(path.join(root, 'packages', 'cli', 'dist', 'bin.js'))) fail('the CLI is not built: run `npm run build` first');

/** What varies from run to run, and nothing else: temp folders, wall-clock times and random apply ids. */
function normalise(text) {
  return text
    .replace(/\/tmp\/autotune-demo-[A-Za-z0-9]{6}/g, '/tmp/autotune-demo-XXXXXX')
    .replace(/\.\d{8}T\d{9}Z\./g, '.YYYYMMDDTHHMMSSmmmZ.')
    // An apply's id is random (it names one run of apply in the history).
    .replace(/--apply [0-9a-f]{8}\b/g, '--apply 0123abcd')
    .replace(/^demo finished in [\d.]+ s;/m, 'demo finished in N s;');
}

let demoOutput;
/** The demo's stdout, once: it is what `npm run demo` prints (autotune's reports and the demo's own lines). */
function demo() {
  if (demoOutput === undefined) {
    const run = spawnSync(process.execPath, [path.join(root, 'examples', 'demo', 'run-demo.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
    if (run.status !== 0) fail(`the demo failed (exit ${run.status}):\n${run.stderr}`);
    demoOutput = normalise(run.stdout).split('\n');
  }
  return demoOutput;
}

/** The lines of the demo printed by `$ autotune <command> ...`, the command line itself first. */
function step(command) {
  const lines = demo();
  const start = lines.findIndex((l) => l.startsWith(`$ autotune ${command} `));
  if (start === -1) fail(`the demo ran no "autotune ${command}"`);
  let end = lines.findIndex((l, i) => i > start && (l.startsWith('$ autotune ') || /^workflow\.yaml after /.test(l)));
  if (end === -1) end = lines.length;
  while (end > start && lines[end - 1] === '') end--;
  return lines.slice(start, end);
}

/** Lines from the first matching `from` up to (not including) the first after it matching `to` (or the end). */
function between(lines, from, to) {
  const start = lines.findIndex((l) => from.test(l));
  if (start === -1) fail(`no line matches ${from}`);
  let end = to ? lines.findIndex((l, i) => i > start && to.test(l)) : -1;
  if (end === -1) end = lines.length;
  while (end > start && lines[end - 1] === '') end--;
  return lines.slice(start, end);
}

/** What a package README's example script prints, run against the built package. */
function script(name, code, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-doc-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') } });
    if (run.status !== 0) fail(`${name} failed (exit ${run.status}):\n${run.stderr}`);
    return normalise(run.stdout).replace(/\n+$/, '').split('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The ```js block of a file after the given heading: the script a README shows is the script that runs. */
function codeAfter(file, heading) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const at = text.indexOf(heading);
  const block = at === -1 ? null : /```js\n([\s\S]*?)\n```/.exec(text.slice(at));
  if (!block) fail(`${file}: no js block after "${heading}"`);
  return block[1];
}

/**
 * Runs the built `autotune` in a fresh temporary folder prepared by `setup(dir)`; returns stdout and stderr
 * with the folder shown as `/repo` (the docs say so where they show these).
 */
function cli(setup, ...commands) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-doc-'));
  try {
    setup(dir);
    return commands.map((args) => {
      const run = spawnSync(process.execPath, [path.join(root, 'packages', 'cli', 'dist', 'bin.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
      const shown = (t) => normalise(t.split(fs.realpathSync(dir)).join('/repo').split(dir).join('/repo')).replace(/\n+$/, '').split('\n');
      return { status: run.status, stdout: shown(run.stdout), stderr: shown(run.stderr) };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every named excerpt: how it is made from real output. */
const EXCERPTS = {
  // docs/cli.md, autotune analyze: the banner and the first insight.
  'demo-analyze-first': () => [...between(step('analyze').slice(1), /^={80}$/, /^2\. /), '...'],
  // docs/cli.md, autotune suggest: the first suggestion.
  'demo-suggest-first': () => [...between(step('suggest'), /^Generated \d+ optimization/, /^2\. /), '...'],
  // docs/cli.md, autotune apply: the first result.
  'demo-apply-first': () => [...between(step('apply'), /^\[1\/\d\] /, /^\[2\/\d\] /), '...'],
  // README.md: the apply command line, its first result, its summary, and the rollback.
  'demo-readme': () => {
    const apply = step('apply');
    const rollback = step('rollback');
    const lines = demo();
    return [
      apply[0],
      '...',
      ...between(apply, /^\[1\/\d\] /, /^\[2\/\d\] /),
      '...',
      ...between(apply, /^Applied \d+ of \d+ change/),
      rollback[0],
      '...',
      ...between(rollback, /^Restored /),
      '',
      ...lines.filter((l) => /^workflow\.yaml after rollback: /.test(l)),
    ];
  },
  // docs/cli.md, autotune benchmark: the shipped sequential example against the same file made parallel.
  'benchmark-parallel': () => {
    const [run] = cli(
      (dir) => {
        const text = fs.readFileSync(path.join(root, 'examples', 'workflows', 'sequential-independent.yaml'), 'utf8');
        fs.writeFileSync(path.join(dir, 'before.yaml'), text);
        fs.writeFileSync(path.join(dir, 'after.yaml'), text.replace(/^formation: sequential\b/m, 'formation: parallel'));
      },
      ['benchmark', '--before', 'before.yaml', '--after', 'after.yaml', '--simulate', 'sequential-independent', '--runs', '10', '--seed', '7'],
    );
    // From the banner to the verdict and its explanation; the database line after it is left out.
    const lines = between(run.stdout, /^={80}$/);
    const verdict = lines.findIndex((l) => l.startsWith('Verdict: '));
    if (verdict === -1) fail('autotune benchmark printed no verdict');
    let end = verdict + 1;
    while (end < lines.length && lines[end].startsWith('  ')) end++;
    return [...lines.slice(0, end), '...'];
  },
  // docs/cli.md, errors under --json.
  'json-error': () => {
    const [run] = cli(() => undefined, ['analyze', '--metrics', 'nope.json', '--json']);
    return ['$ autotune analyze --metrics nope.json --json', ...run.stdout];
  },
  // docs/cli.md, strategy packages: a package that is not installed, and one written for another contract major.
  'plugin-errors': () => {
    const project = (dir) => {
      fs.copyFileSync(path.join(root, 'examples', 'workflows', 'sequential-independent.yaml'), path.join(dir, 'workflow.yaml'));
      fs.copyFileSync(path.join(root, 'examples', 'metrics', 'sequential-independent.jsonl'), path.join(dir, 'metrics.jsonl'));
    };
    const [missing] = cli(
      (dir) => {
        project(dir);
        fs.writeFileSync(path.join(dir, 'autotune.config.yaml'), 'strategies: ["@acme/cost-cap-strategy"]\n');
      },
      ['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl'],
    );
    const [old] = cli(
      (dir) => {
        const pkg = path.join(dir, 'node_modules', 'old-strategy');
        fs.mkdirSync(pkg, { recursive: true });
        fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'old-strategy', version: '2.0.0', main: 'index.js' }));
        fs.writeFileSync(path.join(pkg, 'index.js'), "module.exports = { apiVersion: '2.0', name: 'old', suggest: () => [], apply: (c) => c };\n");
        fs.writeFileSync(path.join(dir, 'autotune.config.json'), JSON.stringify({ strategies: ['old-strategy'] }));
        project(dir);
      },
      ['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl'],
    );
    // The error is the last line; before it the CLI names the config file it uses.
    return [...missing.stderr.slice(-1), ...old.stderr.slice(-1)];
  },
  // packages/analyzer/README.md: its own example script on the shipped example file.
  'analyzer-readme': () =>
    script(
      'use-analyzer.cjs',
      codeAfter('packages/analyzer/README.md', '## Load a metrics file and print the insights').replace("'metrics.json'", 'process.argv[2]'),
      [path.join(root, 'examples', 'metrics', 'code_review_team.json')],
    ),
};

const MARKER = /^<!-- output: ([\w-]+) -->\n(`{3,})([^\n]*)\n([\s\S]*?)\n\2$/gm;
let stale = 0;
let checked = 0;
for (const doc of DOCS) {
  const file = path.join(root, doc);
  const text = fs.readFileSync(file, 'utf8');
  const updated = text.replace(MARKER, (whole, name, fence, info, body) => {
    const make = EXCERPTS[name];
    if (!make) fail(`${doc}: unknown output "${name}" (known: ${Object.keys(EXCERPTS).join(', ')})`);
    checked++;
    const fresh = make().join('\n');
    if (fresh === body) return whole;
    stale++;
    if (!write) {
      const was = body.split('\n');
      const now = fresh.split('\n');
      const at = now.findIndex((l, i) => l !== was[i]);
      console.error(`${doc}: output "${name}" differs from a real run, first at line ${at + 1} of the block:\n  doc:  ${was[at] ?? '(nothing)'}\n  real: ${now[at] ?? '(nothing)'}`);
    }
    return `<!-- output: ${name} -->\n${fence}${info}\n${fresh}\n${fence}`;
  });
  if (write && updated !== text) {
    fs.writeFileSync(file, updated);
    console.log(`check-doc-outputs: rewrote ${doc}`);
  }
}
if (checked === 0) fail('no <!-- output: NAME --> block found: the markers were lost');
if (stale > 0 && !write) {
  console.error(`check-doc-outputs: ${stale} of ${checked} captured output(s) are stale; run \`node tools/check-doc-outputs.mjs --write\` and review the diff`);
  process.exit(1);
}
console.log(`check-doc-outputs: ${checked} captured output(s) ${write && stale > 0 ? `checked, ${stale} rewritten` : 'match real runs'}`);

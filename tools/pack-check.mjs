// Packaging check: packs every @autotune package exactly as `npm publish` would, lints each tarball with
// publint and @arethetypeswrong/cli, then proves two real uses from the tarballs alone, in empty folders outside the workspace:
//   1. install only @autotune/analyzer (and what it needs), check that this adds at most 5 packages and 2 MB
//      (issue 15: the analyzer installs light; @stdlib is bundled into @autotune/stats), and run a script that
//      analyses a shipped example;
//   2. install only @autotune/cli and run `autotune --help` and `autotune analyze` on a shipped example, then
//      simulate, apply, roll back and write the report (HTML and Markdown);
//   3. install the example third-party strategy package (examples/cost-cap-strategy) from its tarball next to
//      the CLI's, name it in autotune.config.json as docs/strategies/authoring.md says, and see its suggestion
//      in `autotune suggest`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = path.resolve(import.meta.dirname, '..');
const packagesDir = path.join(root, 'packages');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-pack-'));
const keep = process.env.AUTOTUNE_KEEP_PACK === '1';

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}
function step(message) {
  console.log(`pack-check: ${message}`);
}

const tarballs = new Map();
let problems = 0;
try {
  const names = fs.readdirSync(packagesDir).filter((d) => fs.existsSync(path.join(packagesDir, d, 'package.json')));
  for (const dir of names) {
    const pkgDir = path.join(packagesDir, dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    if (!fs.existsSync(path.join(pkgDir, 'dist', 'index.js'))) {
      throw new Error(`${manifest.name}: dist/index.js is missing; run the build first (npm run build)`);
    }
    // npm shows `repository` on the package page: a placeholder there sends users nowhere. No field beats a fake one.
    const repo = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
    if (repo !== undefined && /example\.(invalid|com|org)|placeholder|your-org|TODO/i.test(repo)) {
      problems++;
      console.error(`${manifest.name}: repository "${repo}" is a placeholder; give the real URL or drop the field`);
    }
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: pkgDir }));
    const tarball = path.join(work, packed.filename);
    tarballs.set(manifest.name, tarball);
    // The scenarios belong to the simulator: shipped by it, and by nothing else.
    const scenarioFiles = packed.files.filter((f) => f.path.startsWith('scenarios/')).length;
    if (manifest.name === '@autotune/simulator' ? scenarioFiles === 0 : scenarioFiles > 0) {
      throw new Error(`${manifest.name}: its tarball holds ${scenarioFiles} scenario file(s); only @autotune/simulator ships scenarios/`);
    }
    // publint packs the package with npm itself, so it lints the same file list as the tarball above.
    const { messages, pkg } = await publint({ pkgDir, pack: 'npm', strict: true });
    for (const m of messages) {
      problems++;
      console.error(`publint ${manifest.name} [${m.type}]: ${formatMessage(m, pkg)}`);
    }
    // Are the types wrong? for every entry point under Node 16+ (CJS and ESM importers) and bundlers. The
    // node10 resolution is ignored: it cannot see subpath exports such as @autotune/strategies/testing.
    const attw = spawnSync(path.join(root, 'node_modules', '.bin', 'attw'), [tarball, '--profile', 'node16', '--format', 'ascii'], { encoding: 'utf8' });
    if (attw.status !== 0) {
      problems++;
      console.error(`attw ${manifest.name}:\n${attw.stdout}${attw.stderr}`);
    }
    step(`${manifest.name}: packed ${packed.files.length} files (${(packed.size / 1024).toFixed(1)} kB), publint ${messages.length === 0 ? 'clean' : `${messages.length} message(s)`}, attw ${attw.status === 0 ? 'clean' : 'problems'}`);
  }

  // The tarballs this one needs, transitively, by name: a real install takes the siblings from the tarballs.
  function closure(name, seen = new Set()) {
    if (seen.has(name)) return seen;
    seen.add(name);
    const manifest = JSON.parse(run('tar', ['-xOzf', tarballs.get(name), 'package/package.json']));
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (tarballs.has(dep)) closure(dep, seen);
    return seen;
  }
  function installAlone(name, consumer = {}, alongside = []) {
    const dir = fs.mkdtempSync(path.join(work, 'consumer-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, ...consumer }));
    const needed = [...closure(name)];
    // A plain install, as a user runs it: npm checks peer ranges here, so a wrong one fails with ERESOLVE.
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...needed.map((n) => tarballs.get(n)), ...alongside], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    const installed = fs.readdirSync(path.join(dir, 'node_modules', '@autotune'));
    return { dir, needed, installed };
  }

  const example = path.join(root, 'examples', 'metrics', 'code_review_team.json');

  // The example strategy package, packed as its author would publish it (it is private only to stay off npm).
  const pluginDir = path.join(root, 'examples', 'cost-cap-strategy');
  if (!fs.existsSync(path.join(pluginDir, 'dist', 'index.js'))) throw new Error('examples/cost-cap-strategy: dist/index.js is missing; run the build first');
  const [pluginPacked] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: pluginDir }));
  const pluginTarball = path.join(work, pluginPacked.filename);
  const pluginName = JSON.parse(fs.readFileSync(path.join(pluginDir, 'package.json'), 'utf8')).name;

  /** Every package a fresh install put under `nodeModules` (nested ones too) and the bytes on disk of all of it. */
  function measureInstall(nodeModules) {
    const packages = [];
    let bytes = 0;
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isSymbolicLink()) continue; // .bin links: the files they point to are counted where they are
        if (entry.isDirectory()) walk(full);
        else bytes += fs.statSync(full).size;
      }
    };
    walk(nodeModules);
    const collect = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
        const full = path.join(dir, entry.name);
        if (entry.name.startsWith('@')) {
          collect(full);
          continue;
        }
        if (fs.existsSync(path.join(full, 'package.json'))) {
          packages.push(path.relative(nodeModules, full));
          if (fs.existsSync(path.join(full, 'node_modules'))) collect(path.join(full, 'node_modules'));
        }
      }
    };
    collect(nodeModules);
    return { packages, bytes };
  }
  const ANALYZER_MAX_PACKAGES = 5;
  const ANALYZER_MAX_BYTES = 2 * 1024 * 1024;

  // 1. The analyzer alone.
  {
    const { dir, installed } = installAlone('@autotune/analyzer');
    const extra = installed.filter((n) => !['analyzer', 'metrics', 'stats', 'errors'].includes(n));
    if (extra.length) throw new Error(`installing @autotune/analyzer pulled in ${extra.join(', ')}`);
    if (fs.existsSync(path.join(dir, 'node_modules', 'better-sqlite3'))) throw new Error('installing @autotune/analyzer pulled in better-sqlite3');
    const footprint = measureInstall(path.join(dir, 'node_modules'));
    const mb = (footprint.bytes / (1024 * 1024)).toFixed(2);
    if (footprint.packages.length > ANALYZER_MAX_PACKAGES || footprint.bytes > ANALYZER_MAX_BYTES) {
      throw new Error(
        `installing @autotune/analyzer alone added ${footprint.packages.length} packages and ${mb} MB ` +
          `(limits: ${ANALYZER_MAX_PACKAGES} packages, 2 MB): ${footprint.packages.join(', ')}`,
      );
    }
    step(`analyzer alone adds ${footprint.packages.length} packages (${footprint.packages.join(', ')}), ${mb} MB on disk (limits ${ANALYZER_MAX_PACKAGES}, 2 MB)`);
    const script = path.join(dir, 'use-analyzer.cjs');
    fs.writeFileSync(script, `
const { PerformanceAnalyzer, describeEvidence } = require('@autotune/analyzer');
(async () => {
  const analyzer = new PerformanceAnalyzer();
  await analyzer.loadMetricsFromFile(process.argv[2]);
  const [team] = analyzer.listTeams();
  const insights = analyzer.analyzeTeamWorkflow(team);
  console.log(team + ': ' + insights.length + ' insight(s)');
  for (const i of insights) console.log('  ' + i.bottleneck + ' (' + describeEvidence(i.evidence) + ')');
  if (insights.length === 0) process.exit(3);
})().catch((e) => { console.error(e); process.exit(1); });
`);
    const out = run(process.execPath, [script, example], { cwd: dir });
    step(`analyzer alone (${installed.map((n) => '@autotune/' + n).join(', ')}): ${out.trim().split('\n')[0]}`);
  }

  // 1b. @autotune/postgres alone: pure JavaScript (pg, pg-boss), never the SQLite driver, and its entry loads.
  {
    const { dir, installed } = installAlone('@autotune/postgres');
    if (installed.includes('cli')) throw new Error('installing @autotune/postgres pulled in @autotune/cli');
    if (fs.existsSync(path.join(dir, 'node_modules', 'better-sqlite3'))) throw new Error('installing @autotune/postgres pulled in better-sqlite3');
    const out = run(
      process.execPath,
      ['-e', "const p = require('@autotune/postgres'); for (const k of ['PostgresStore', 'QueueTrialRunner', 'TrialWorker']) if (typeof p[k] !== 'function') throw new Error(k + ' missing'); console.log(p.maskConnectionString('postgres://u:secret@h/db'))"],
      { cwd: dir },
    );
    if (!out.includes('postgres://u:***@h/db')) throw new Error(`@autotune/postgres from the tarball printed:\n${out}`);
    step(`postgres alone (${installed.map((n) => '@autotune/' + n).join(', ')}): entry loads, no better-sqlite3`);
  }

  // 2. The CLI alone.
  {
    // npm 11 runs only the install scripts a project allows; the CLI's database driver is a native build.
    const { dir, installed } = installAlone('@autotune/cli', { allowScripts: { 'better-sqlite3': true } }, [pluginTarball]);
    const bin = path.join(dir, 'node_modules', '.bin', 'autotune');
    const help = run(bin, ['--help'], { cwd: dir });
    if (!help.includes('Usage: autotune')) throw new Error(`autotune --help from the tarball printed:\n${help}`);
    const version = run(bin, ['--version'], { cwd: dir }).trim();
    step(`cli alone (${installed.length} @autotune packages): autotune --help ok, --version ${version}`);
    const analysis = run(bin, ['analyze', '--team-id', 'code_review_team', '--metrics', example], { cwd: dir });
    if (!analysis.includes('Performance Analysis')) throw new Error(`autotune analyze from the tarball printed:\n${analysis}`);
    step(`cli alone: autotune analyze on ${path.relative(root, example)} ok`);

    // The stateful path from the tarball: simulate runs, apply with real A/B tests into SQLite, roll back.
    const workflow = path.join(dir, 'workflow.yaml');
    fs.copyFileSync(path.join(root, 'examples', 'workflows', 'research-consensus-oversized.yaml'), workflow);
    const original = fs.readFileSync(workflow);
    run(bin, ['simulate', '--scenario', 'research-consensus-oversized', '--config', 'workflow.yaml', '--out', 'metrics.jsonl'], { cwd: dir });
    const applyArgs = ['apply', '--team-id', 'research_team', '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--auto', '--simulate', 'research-consensus-oversized', '--seed', '7', '--json'];
    let applied;
    try {
      applied = JSON.parse(run(bin, applyArgs, { cwd: dir }));
    } catch (err) {
      // Exit 3/4 (some suggestion inconclusive or failed) still prints the JSON report.
      if (![3, 4].includes(err.status)) throw err;
      applied = JSON.parse(err.stdout);
    }
    const passed = applied.results.filter((r) => r.validationStatus === 'passed').length;
    if (passed === 0 || fs.readFileSync(workflow).equals(original)) throw new Error('autotune apply from the tarball kept no change');
    run(bin, ['rollback', '--team-id', 'research_team', '--config', 'workflow.yaml', '--apply', 'latest'], { cwd: dir });
    if (!fs.readFileSync(workflow).equals(original)) throw new Error('autotune rollback from the tarball did not restore the file byte for byte');
    step(`cli alone: simulate, apply --auto (${passed} passed, SQLite history) and rollback --apply latest (bytes restored) ok`);

    // The report from the tarballs: @autotune/report comes with the CLI and renders from its packed dist.
    run(bin, ['report', '--team-id', 'research_team', '--config', 'workflow.yaml', '--out', 'report.html'], { cwd: dir });
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    if (!html.startsWith('<!doctype html>') || !html.includes('id="autotune-report"') || /https?:\/\//.test(html)) throw new Error('autotune report from the tarball wrote no self-contained page');
    const md = run(bin, ['report', '--team-id', 'research_team', '--config', 'workflow.yaml', '--format', 'md'], { cwd: dir });
    if (!md.startsWith('## autotune report: research_team')) throw new Error(`autotune report --format md from the tarball printed:\n${md}`);
    step(`cli alone: autotune report (html ${(html.length / 1024).toFixed(0)} kB, md) ok`);
    // 3. The strategy package, installed beside the CLI, named in the config file as authoring.md shows.
    const project = path.join(dir, 'plugin-project');
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(root, 'examples', 'workflows', 'code-review-parallel-budget.yaml'), path.join(project, 'workflow.yaml'));
    fs.copyFileSync(path.join(root, 'examples', 'metrics', 'code-review-parallel-budget.jsonl'), path.join(project, 'metrics.jsonl'));
    fs.writeFileSync(
      path.join(project, 'autotune.config.json'),
      JSON.stringify({ teamId: 'code_review_team', workflow: 'workflow.yaml', metrics: ['metrics.jsonl'], strategies: [pluginName], strategyOptions: { [pluginName]: { maxCostPerRunUsd: 0.05 } } }, null, 2),
    );
    const suggested = JSON.parse(run(bin, ['suggest', '--json'], { cwd: project }));
    const fromPlugin = suggested.suggestions.filter((s) => s.type === 'cost_cap');
    if (fromPlugin.length !== 1) throw new Error(`autotune suggest with ${pluginName} from its tarball made ${fromPlugin.length} cost_cap suggestion(s):\n${JSON.stringify(suggested, null, 2)}`);
    step(`strategy package ${pluginName} from its tarball beside the CLI: suggest shows "${fromPlugin[0].description.split(':')[0]}"`);
  }
} catch (err) {
  console.error(`pack-check: FAILED: ${err.stderr ?? ''}${err.message}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`pack-check: kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
if (problems > 0) {
  console.error(`pack-check: ${problems} problem(s) in the packages (see above)`);
  process.exitCode = 1;
}

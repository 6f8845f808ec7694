// The CLI README's quick start, run as a user runs it: its bash block, in order, in an empty folder, with
// `npx autotune` being the built bin. A step that fails, or needs a file an earlier step did not make,
// fails this test.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './helpers';

const README = join(__dirname, '..', 'README.md');

/** The bash block after `<!-- quick-start -->`, without the install lines (the bin is already built). */
function quickStart(): string {
  const text = readFileSync(README, 'utf8');
  const block = /<!-- quick-start -->\n```bash\n([\s\S]*?)\n```/.exec(text);
  if (!block) throw new Error(`${README}: no bash block after <!-- quick-start -->`);
  return block[1]!
    .split('\n')
    .filter((line) => !line.startsWith('npm '))
    .join('\n');
}

it('the README quick start runs in order in an empty folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-quick-start-'));
  const bin = mkdtempSync(join(tmpdir(), 'autotune-quick-start-bin-'));
  try {
    // `npx autotune` as in a project that installed the CLI: its bin, found without the registry.
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = autotune ] || { echo "unexpected: npx $*" >&2; exit 99; }\nshift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(bin, 'npx'), 0o755);
    const script = [
      // Every failing command is reported with its exit code; the run goes on, so all failures show.
      `trap 'echo "STEP FAILED ($?): $BASH_COMMAND" >&2' ERR`,
      quickStart(),
    ].join('\n');
    const run = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, PATH: `${bin}:${process.env.PATH}` }, timeout: 240_000 });
    const failures = run.stderr.split('\n').filter((l) => l.startsWith('STEP FAILED'));
    // `apply` may exit 3 or 4 (a suggestion was inconclusive, or failed its A/B test, and was not kept), as the
    // README says; nothing else may fail.
    const unexpected = failures.filter((l) => !/^STEP FAILED \([34]\): .*apply /.test(l));
    expect({ unexpected, stderr: unexpected.length > 0 ? run.stderr : '' }).toEqual({ unexpected: [], stderr: '' });
    expect(run.stdout).toContain('Performance Analysis');
    expect(run.stdout).toContain('Optimization Suggestions');
    expect(run.stdout).toMatch(/Applied [1-9]\d* of \d+ change\(s\)/);
    expect(run.stdout).toMatch(/Rolled back|restored/i);
    // The rollback put the workflow file back as the heredoc wrote it.
    expect(readFileSync(join(dir, 'workflow.yaml'), 'utf8')).toBe(/cat > workflow.yaml <<'EOF'\n([\s\S]*?\n)EOF/.exec(quickStart())?.[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  }
}, 300_000);

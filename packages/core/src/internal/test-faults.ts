/**
 * Test-only fault injection at the steps of a journaled file change (see `file-change.ts`). The one place
 * that reads `AUTOTUNE_TEST_FAULT`; unset, as it always is outside autotune's own tests, it does nothing.
 *
 * `AUTOTUNE_TEST_FAULT=kill@apply:intent` kills the process with SIGKILL when it reaches that step (a crash,
 * a power cut); `enospc@apply:file` makes the write of that step fail as a full disk would. Steps are named
 * `<apply|rollback>:<backup|intent|file|confirm|done>`: the write about to happen.
 */
export function testFault(step: string): void {
  const setting = process.env.AUTOTUNE_TEST_FAULT;
  if (!setting) return;
  const [kind, at] = setting.split('@');
  if (at !== step) return;
  if (kind === 'kill') process.kill(process.pid, 'SIGKILL');
  if (kind === 'enospc') {
    throw Object.assign(new Error(`ENOSPC: no space left on device (test fault at ${step})`), { code: 'ENOSPC' });
  }
}

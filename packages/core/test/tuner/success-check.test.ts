import type { ExecutionRecord, MemberRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { outvotedFailures, pairedNoWorseProbability } from '../../src/tuner/success-check';

const members = (ids: string[]) => ids.map((id) => ({ id }));
const CONSENSUS: TeamConfig = { formation: 'consensus', memberCount: 3, members: members(['a', 'b', 'c']) };
const PARALLEL: TeamConfig = { ...CONSENSUS, formation: 'parallel' };

let n = 0;
/** A run whose members succeeded as `ok` says ('1' or '0' per member, in order a, b, c). */
function run(success: boolean, ok: string, options: { waits?: boolean; timeout?: boolean } = {}): ExecutionRecord {
  const ids = ['a', 'b', 'c'];
  const parts: MemberRecord[] = [...ok].map((bit, i) => ({
    memberId: ids[i]!,
    success: bit === '1',
    durationSeconds: 10,
    toolCalls: 1,
    ...(options.waits && i > 0 ? { waitedFor: [ids[i - 1]!] } : { waitedFor: [] }),
  }));
  return {
    teamId: 't',
    executionId: `r${n++}`,
    startTimeMs: 0,
    endTimeMs: 10_000,
    durationSeconds: 10,
    success,
    memberCount: parts.length,
    toolCalls: parts.length,
    members: parts,
    ...(options.timeout ? { limitHit: 'timeout' as const } : {}),
  };
}
const times = (k: number, make: () => ExecutionRecord) => Array.from({ length: k }, make);

describe('pairedNoWorseProbability', () => {
  it('is one half with no pairs, and grows with pairs that show no loss', () => {
    expect(pairedNoWorseProbability(0, 0, 0, 0.02)).toBe(0.5);
    expect(pairedNoWorseProbability(0, 0, 40, 0.02)).toBeGreaterThan(pairedNoWorseProbability(0, 0, 10, 0.02));
  });
  it('with no discordant pair among n is Phi(margin * n): 27 pairs reach 0.70 at a 2-point margin, 26 do not', () => {
    expect(pairedNoWorseProbability(0, 0, 27, 0.02)).toBeGreaterThanOrEqual(0.7);
    expect(pairedNoWorseProbability(0, 0, 26, 0.02)).toBeLessThan(0.7);
  });
  it('falls as the candidate alone fails more often', () => {
    expect(pairedNoWorseProbability(0, 3, 40, 0.02)).toBeLessThan(pairedNoWorseProbability(0, 1, 40, 0.02));
    expect(pairedNoWorseProbability(0, 8, 80, 0.02)).toBeLessThan(0.2);
  });
});

describe('outvotedFailures', () => {
  const candidateRuns = times(5, () => run(true, '111'));

  it('counts the consensus runs that succeeded while a member the candidate keeps failed', () => {
    const base = [...times(36, () => run(true, '111')), ...times(4, () => run(true, '110')), run(false, '111'), run(false, '100')];
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, candidateRuns)).toEqual({ runs: 42, lost: 4, won: 1 });
  });

  it('ignores runs cut off by their timeout', () => {
    const base = [...times(10, () => run(true, '111')), run(false, '100', { timeout: true })];
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, candidateRuns)).toEqual({ runs: 10, lost: 0, won: 0 });
  });

  it('only looks at the members the candidate keeps', () => {
    const twoOfThree: TeamConfig = { ...PARALLEL, memberCount: 2, members: [{ id: 'a' }, { id: 'b' }, { id: 'c', enabled: false }] };
    const base = times(10, () => run(true, '110'));
    expect(outvotedFailures(CONSENSUS, twoOfThree, base, candidateRuns)?.lost).toBe(0);
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, candidateRuns)?.lost).toBe(10);
  });

  it('leaves out a member that waits under the candidate and fails there clearly less often: it failed in consensus for want of its input', () => {
    // c fails in half the consensus runs but never in 8 candidate runs where it waits for b.
    const base = [...times(20, () => run(true, '111')), ...times(20, () => run(true, '110'))];
    const waiting = times(8, () => run(true, '111', { waits: true }));
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, waiting)?.lost).toBe(0);
    // The same failures from a member that works on its own carry over.
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, candidateRuns)?.lost).toBe(20);
    // And from a waiting member that fails as often under the candidate.
    const alsoFailing = [...times(4, () => run(true, '111', { waits: true })), ...times(4, () => run(false, '110', { waits: true }))];
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, alsoFailing)?.lost).toBe(20);
  });

  it('for a smaller consensus, asks whether the kept members alone hold a majority', () => {
    const two: TeamConfig = { formation: 'consensus', memberCount: 2, members: [{ id: 'a' }, { id: 'b' }, { id: 'c', enabled: false }] };
    // a and b must both succeed for a majority of two; c's failures do not matter. A run the vote lost with a
    // majority (no agreement) stays lost.
    const base = [run(true, '101'), run(true, '110'), run(true, '111'), run(false, '100'), run(false, '110')];
    expect(outvotedFailures(CONSENSUS, two, base, [])).toEqual({ runs: 5, lost: 1, won: 0 });
  });

  it('says nothing unless the config in force is consensus, the candidate has runs, or the consensus shrinks', () => {
    const base = times(5, () => run(true, '110'));
    expect(outvotedFailures(PARALLEL, CONSENSUS, base, candidateRuns)).toBeUndefined();
    expect(outvotedFailures(CONSENSUS, PARALLEL, base, [])).toBeUndefined();
    expect(outvotedFailures(CONSENSUS, { ...CONSENSUS, toolBudget: 10 }, base, candidateRuns)).toBeUndefined();
  });
});

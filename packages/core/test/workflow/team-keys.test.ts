import { changedKeys } from '@autotune/strategies';
import type { TeamConfig } from '@autotune/strategies';
import { configInFileShape, spellChanges, teamKeyInFile } from '../../src/workflow/team-keys';
import { workflowFromText } from '../../src/workflow/workflow-file';

// A team node as Victor writes it: team_formation, total_tool_budget, members with their own tool_budget and
// `enabled` (not `enable`); and the same team as a flat file.
const NODE = [
  'workflows:',
  '  deep_research:',
  '    nodes:',
  '      - id: research_team',
  '        type: team',
  '        team_formation: reflection',
  '        total_tool_budget: 60',
  '        timeout_seconds: 1200',
  '        members:',
  '          - id: researcher',
  '            role: researcher',
  '            tool_budget: 30',
  '          - id: analyst',
  '            enabled: true',
  '            tool_budget: 20',
  '          - critic',
  '',
].join('\n');
const FLAT = 'formation: parallel\ntool_budget: 60\nmembers: 3\n';

function edit(config: TeamConfig, change: (c: TeamConfig) => void): TeamConfig {
  const next = JSON.parse(JSON.stringify(config)) as TeamConfig;
  change(next);
  return next;
}

describe('spellChanges: keys as the workflow file spells them', () => {
  const file = workflowFromText('victor.yaml', NODE);

  it.each<[string, (c: TeamConfig) => void, string[]]>([
    ['the formation and the team budget', (c) => Object.assign(c, { formation: 'pipeline', toolBudget: 45 }), ['team_formation', 'total_tool_budget']],
    ['a member\'s own tool_budget (kept in extra), named by the member id', (c) => (c.members![0]!.extra = { tool_budget: 25 }), ['members[researcher].tool_budget']],
    ['the enabled flag in the member\'s own spelling', (c) => (c.members![1]!.enabled = false), ['members[analyst].enabled']],
    ['the enabled flag of a bare-id member, in its list-mates\' spelling', (c) => (c.members![2] = { id: 'critic', enabled: false }), ['members[critic].enabled']],
    ['a removed member', (c) => c.members!.splice(1, 1), ['members[analyst]']],
    ['an added member, named by its own id (not by whoever had its index before)', (c) => c.members!.splice(0, 0, { id: 'scout' }), ['members[scout]']],
  ])('%s', (_label, change, keys) => {
    const next = edit(file.config, change);
    const spelled = spellChanges(file, changedKeys(file.config, next));
    expect(spelled.map((c) => c.fileKey).sort()).toEqual([...keys].sort());
    // The strategies' own key stays, so JSON readers keep one vocabulary.
    expect(spelled.every((c) => typeof c.key === 'string' && c.key.length > 0)).toBe(true);
  });

  it('spells `enable` as the file does, and keeps the team\'s own unknown keys as they are', () => {
    const dup = workflowFromText('team.yaml', 'formation: parallel\nmember_count: 2\nowner: ana\nmembers:\n  - {id: a, enable: true}\n  - {id: b, enable: true}\n');
    const next = edit(dup.config, (c) => {
      c.members![1]!.enabled = false;
      c.extra = { owner: 'bo' };
    });
    expect(spellChanges(dup, changedKeys(dup.config, next)).map((c) => c.fileKey)).toEqual(['members[b].enable', 'owner']);
  });

  it('spells a flat file\'s keys as it writes them (`members: 3` is the member count there)', () => {
    const flat = workflowFromText('flat.yaml', FLAT);
    const next = edit(flat.config, (c) => Object.assign(c, { memberCount: 2, toolBudget: 40 }));
    expect(spellChanges(flat, changedKeys(flat.config, next)).map((c) => c.fileKey)).toEqual(['members', 'tool_budget']);
  });
});

describe('teamKeyInFile', () => {
  it.each([
    ['formation', 'team_formation', 'workflows.deep_research.nodes[0].team_formation', 6],
    ['tool_budget', 'total_tool_budget', 'workflows.deep_research.nodes[0].total_tool_budget', 7],
    ['members[1].enabled', 'members[analyst].enabled', 'workflows.deep_research.nodes[0].members[1].enabled', 14],
  ])('places %s as %s (%s, line %d)', (key, spelled, path, line) => {
    expect(teamKeyInFile(workflowFromText('victor.yaml', NODE), key)).toEqual({ key: spelled, path, line });
  });
});

describe('configInFileShape', () => {
  it('writes a config in the node\'s own spelling, without the node\'s identity', () => {
    const file = workflowFromText('victor.yaml', NODE);
    const shaped = configInFileShape(file, { ...file.config, formation: 'pipeline' });
    expect(shaped).toMatchObject({ team_formation: 'pipeline', total_tool_budget: 60, timeout_seconds: 1200 });
    expect(shaped).not.toHaveProperty('formation');
    expect(shaped).not.toHaveProperty('id');
    expect(shaped).not.toHaveProperty('type');
  });
});

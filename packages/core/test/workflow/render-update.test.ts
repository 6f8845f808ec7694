import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MemberConfig, TeamConfig } from '@autotune/strategies';
import { CoreError } from '../../src/errors';
import { renderWorkflowUpdate } from '../../src/workflow/render-update';
import { workflowFromText } from '../../src/workflow/workflow-file';
import type { WorkflowFile } from '../../src/workflow/workflow-file';

const fixtures = path.join(__dirname, '..', 'fixtures', 'workflow');

function load(name: string, teamId?: string): WorkflowFile {
  return workflowFromText(name, readFileSync(path.join(fixtures, name), 'utf8'), teamId);
}

/** Lines of `after` that are not in `before` at the same place, and the other way round. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

function withMembers(config: TeamConfig, edit: (m: MemberConfig[]) => MemberConfig[]): TeamConfig {
  return { ...config, members: edit(config.members ?? []) };
}

describe('renderWorkflowUpdate (YAML)', () => {
  it('returns the exact text when nothing changes', () => {
    const file = load('flat.yaml');
    expect(renderWorkflowUpdate(file, structuredClone(file.config))).toBe(file.text);
  });

  it.each<[string, (c: TeamConfig) => TeamConfig, string[], string[]]>([
    ['the formation, keeping the comment and its spacing', (c) => ({ ...c, formation: 'pipeline' }), ['formation: parallel   # reviewers work side by side'], ['formation: pipeline   # reviewers work side by side']],
    ['the tool budget', (c) => ({ ...c, toolBudget: 30 }), ['tool_budget: 50       # calls for the whole team'], ['tool_budget: 30       # calls for the whole team']],
    ['the timeout', (c) => ({ ...c, timeoutSeconds: 180 }), ['timeout_seconds: 300'], ['timeout_seconds: 180']],
    ['a multiplier', (c) => withMembers(c, (ms) => ms.map((m) => (m.id === 'security' ? { ...m, toolBudgetMultiplier: 0.8 } : m))), ['    tool_budget_multiplier: 1.5'], ['    tool_budget_multiplier: 0.8']],
    ['an enable flag', (c) => withMembers(c, (ms) => ms.map((m) => (m.id === 'style' ? { ...m, enabled: false } : m))), ['    enable: true'], ['    enable: false']],
    ['a removed key', ({ timeoutSeconds: _removed, ...c }) => c, ['timeout_seconds: 300'], []],
  ])('changes only the line of %s', (_label, edit, removed, added) => {
    const file = load('flat.yaml');
    const out = renderWorkflowUpdate(file, edit(file.config));
    expect(changedLines(file.text, out)).toEqual({ removed, added });
  });

  it('disables a bare-id member, trims the team and keeps the other members’ comments', () => {
    const file = load('flat.yaml');
    const next = withMembers({ ...file.config, memberCount: 3 }, (ms) =>
      ms.filter((m) => m.id !== 'junior_1' && m.id !== 'style').map((m) => (m.id === 'junior_2' ? { ...m, enabled: false } : m)),
    );
    expect(renderWorkflowUpdate(file, next)).toBe(`# Code review team: tuned by hand in January
team_id: code_review_team
formation: parallel   # reviewers work side by side
member_count: 3
tool_budget: 50       # calls for the whole team
timeout_seconds: 300

# Who is on the team
members:
  - id: lead          # senior reviewer
    role: reviewer
  - id: security
    role: reviewer
    tool_budget_multiplier: 1.5
  - id: junior_2
    enable: false
notify: "#reviews"
`);
  });

  it('turns a flat team into hierarchical sub-teams', () => {
    const text = `# research
formation: sequential # for now
member_count: 5
members: [a, b, c, d, e]
`;
    const file = workflowFromText('team.yaml', text);
    const next: TeamConfig = {
      formation: 'hierarchical',
      memberCount: 3,
      members: [
        { id: 'coordinator', role: 'manager' },
        { id: 'sub_team_1', formation: 'parallel', members: [{ id: 'a' }, { id: 'b' }] },
        { id: 'sub_team_2', formation: 'parallel', members: [{ id: 'c' }, { id: 'd' }] },
      ],
    };
    const out = renderWorkflowUpdate(file, next);
    expect(out).toBe(`# research
formation: hierarchical # for now
member_count: 3
members: [{id: coordinator, role: manager}, {id: sub_team_1, formation: parallel, members: [a, b]}, {id: sub_team_2, formation: parallel, members: [c, d]}]
`);
    expect(workflowFromText('team.yaml', out).config).toEqual(next);
  });

  it('adds sub-teams to a block member list below the existing members', () => {
    const text = `formation: sequential
member_count: 2
members:
  - id: coordinator   # keeps the plan
    role: manager
  - id: worker
`;
    const file = workflowFromText('team.yaml', text);
    const next: TeamConfig = {
      formation: 'hierarchical',
      memberCount: 2,
      members: [
        { id: 'coordinator', role: 'manager' },
        { id: 'sub_team_1', formation: 'parallel', members: [{ id: 'x' }, { id: 'y' }] },
      ],
    };
    expect(renderWorkflowUpdate(file, next)).toBe(`formation: hierarchical
member_count: 2
members:
  - id: coordinator   # keeps the plan
    role: manager
  - id: sub_team_1
    formation: parallel
    members:
      - x
      - y
`);
  });

  it('edits a team node in place and leaves the rest of the workflow byte for byte', () => {
    const file = load('workflow.yaml', 'notes_team');
    const { toolBudget: _removed, ...withoutBudget } = file.config;
    const next = withMembers({ ...withoutBudget, formation: 'parallel' }, (ms) => [...ms, { id: 'proof', role: 'editor' }]);
    const before = `        team_formation: sequential   # one after another
        total_tool_budget: 40
        timeout_seconds: 600
        members:
          - id: writer
            role: writer
          - id: editor   # checks tone
            role: editor
        tags: [docs, release]
`;
    const after = `        team_formation: parallel   # one after another
        member_count: 2
        timeout_seconds: 600
        members:
          - id: writer
            role: writer
          - id: editor   # checks tone
            role: editor
          - id: proof
            role: editor
        tags: [docs, release]
`;
    expect(file.text).toContain(before);
    expect(renderWorkflowUpdate(file, next)).toBe(file.text.replace(before, after));
    expect(renderWorkflowUpdate(file, { ...next, memberCount: 3 })).toBe(file.text.replace(before, after.replace('        member_count: 2\n', '')));
  });

  it('keeps a node’s members count as a count', () => {
    const file = load('workflow.yaml', 'verify_team');
    const out = renderWorkflowUpdate(file, { ...file.config, memberCount: 3 });
    expect(changedLines(file.text, out)).toEqual({ removed: ['        members: 5'], added: ['        members: 3'] });
  });

  it('gives a team its own copy of a list it shared through a YAML alias, leaving the anchor alone', () => {
    const text = `defaults: &crew
  - a
  - b
workflows:
  main:
    nodes:
      - id: t
        type: team
        team_formation: parallel
        members: *crew
`;
    const file = workflowFromText('w.yaml', text, 't');
    expect(renderWorkflowUpdate(file, { ...file.config, formation: 'pipeline' })).toBe(text.replace('team_formation: parallel', 'team_formation: pipeline'));
    const next = withMembers(file.config, (ms) => ms.map((m) => (m.id === 'a' ? { ...m, enabled: false } : m)));
    expect(renderWorkflowUpdate(file, next)).toBe(
      text.replace('        members: *crew\n', '        members:\n          - id: a\n            enable: false\n          - b\n'),
    );
  });

  it('keeps keys autotune does not know unless the new config drops them with an empty extra', () => {
    const text = 'team_id: t\nformation: parallel\nmember_count: 2\nmembers:\n  - id: a\n    model: big\n  - b\nowner: ops\n';
    const file = workflowFromText('team.yaml', text);
    const fresh: TeamConfig = { formation: 'pipeline', memberCount: 2, members: [{ id: 'a' }, { id: 'b' }] };
    expect(renderWorkflowUpdate(file, fresh)).toBe(text.replace('parallel', 'pipeline'));
    expect(renderWorkflowUpdate(file, { ...fresh, extra: {}, members: [{ id: 'a', extra: {} }, { id: 'b' }] })).toBe(
      'formation: pipeline\nmember_count: 2\nmembers:\n  - id: a\n  - b\n',
    );
  });

  it('keeps CRLF line ends and a missing final newline', () => {
    const text = 'formation: parallel   # x\r\nmember_count: 3\r\ntool_budget: 9';
    const file = workflowFromText('team.yaml', text);
    expect(renderWorkflowUpdate(file, { ...file.config, toolBudget: 12, formation: 'pipeline' })).toBe(
      'formation: pipeline   # x\r\nmember_count: 3\r\ntool_budget: 12',
    );
  });

  it('rejects an invalid new config without touching anything', () => {
    const file = load('flat.yaml');
    let caught: unknown;
    try {
      renderWorkflowUpdate(file, { ...file.config, memberCount: 0 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CoreError);
    expect((caught as CoreError).code).toBe('CORE_CONFIG_INVALID');
    expect((caught as CoreError).message).toContain('member_count');
  });
});

describe('renderWorkflowUpdate (JSON)', () => {
  it('keeps one-line lists and maps on one line and changes only the edited lines', () => {
    const file = load('flat.json');
    const next = withMembers({ ...file.config, toolBudget: 52 }, (ms) => ms.map((m) => (m.id === 'bo' ? { ...m, toolBudgetMultiplier: 0.5 } : m)));
    expect(changedLines(file.text, renderWorkflowUpdate(file, next))).toEqual({
      removed: ['    "tool_budget": 75,', '    "members": ["ana", "bo", "cy", "di"],'],
      added: ['    "tool_budget": 52,', '    "members": ["ana", {"id": "bo", "tool_budget_multiplier": 0.5}, "cy", "di"],'],
    });
  });

  it('keeps tab indentation and key order in a workflow node', () => {
    const file = load('workflow.json');
    const next = withMembers({ ...file.config, formation: 'parallel', timeoutSeconds: 120 }, (ms) => ms.slice(1));
    expect(renderWorkflowUpdate(file, { ...next, memberCount: 1 })).toBe(`{
	"workflows": {
		"main": {
			"nodes": [
				{"id": "start", "type": "agent"},
				{
					"id": "build_team",
					"type": "team",
					"team_formation": "parallel",
					"total_tool_budget": 30,
					"timeout_seconds": 120,
					"members": [
						{"id": "tester", "role": "qa"}
					]
				}
			]
		}
	}
}
`);
  });

  it('writes a one-line file on one line', () => {
    const text = '{"formation":"parallel","member_count":3,"members":["a","b","c"]}';
    const file = workflowFromText('team.json', text);
    expect(renderWorkflowUpdate(file, withMembers({ ...file.config, memberCount: 2 }, (ms) => ms.slice(0, 2)))).toBe(
      '{"formation":"parallel","member_count":2,"members":["a","b"]}',
    );
  });

  it('returns the exact text when nothing changes', () => {
    const file = load('workflow.json');
    expect(renderWorkflowUpdate(file, structuredClone(file.config))).toBe(file.text);
  });
});

import { parseDocument } from 'yaml';
import { renderWorkflowChange } from '../../src/workflow/render-update';
import { updateComment } from '../../src/workflow/stale-comments';
import { workflowFromText } from '../../src/workflow/workflow-file';

describe('updateComment: a comment that repeats the old value gets the new one, in the same unit style', () => {
  it.each<[string, string, number, number, string | undefined]>([
    ['# 20 minutes for research', 'timeout_seconds', 1200, 300, '# 5 minutes for research'],
    ['# 20 min', 'timeout_seconds', 1200, 600, '# 10 min'],
    ['# 2h', 'timeout_seconds', 7200, 3600, '# 1h'],
    ['# 1200s', 'timeout_seconds', 1200, 90, '# 90s'],
    ['# 1200 seconds', 'timeout_seconds', 1200, 1, '# 1 second'],
    ['# 1 minute', 'timeout_seconds', 60, 120, '# 2 minutes'],
    ['# 1.5 hours', 'timeout_seconds', 5400, 9000, '# 2.5 hours'],
    ['# 20 minutes, was 15 minutes', 'timeout_seconds', 1200, 600, '# 10 minutes, was 15 minutes'],
    ['# 50 calls per run', 'total_tool_budget', 50, 40, '# 40 calls per run'],
    ['# bare 128', 'timeout_seconds', 128, 300, '# bare 300'],
    // Not unambiguous: kept (and reported as possibly stale by the caller).
    ['# 20 minutes for research', 'timeout_seconds', 128, 300, undefined],
    ['# 2h', 'timeout_seconds', 7200, 300, undefined],
    ['# 10 minutes or 600 s', 'timeout_seconds', 600, 300, undefined],
    ['# 50 calls, 50 tools', 'tool_budget', 50, 40, undefined],
    ['# 5 minutes', 'tool_budget', 300, 200, undefined],
    ['# shared by the reviewers', 'tool_budget', 50, 40, undefined],
  ])('%s (%s %d -> %d)', (comment, key, before, after, expected) => {
    expect(updateComment(comment, key, before, after)).toBe(expected);
  });

  it('leaves non-numbers alone', () => {
    expect(updateComment('# writer drafts', 'team_formation', 'reflection', 'pipeline')).toBeUndefined();
  });
});

describe('renderWorkflowChange: trailing comments on changed values', () => {
  const TEXT = [
    '# research team',
    'formation: parallel   # everyone at once',
    'tool_budget: 60 # 60 calls',
    'timeout_seconds: 128  # 20 minutes for research',
    'member_count: 3  # three',
    'members:',
    '  - id: a',
    '    enable: true  # on for now',
    '',
  ].join('\n');

  it('updates the numbers a comment repeats, keeps every other comment, and reports each with its line', () => {
    const file = workflowFromText('team.yaml', TEXT);
    const next = { ...file.config, formation: 'pipeline', toolBudget: 45, timeoutSeconds: 300, members: [{ id: 'a', enabled: false }] };
    const { text, comments } = renderWorkflowChange(file, next);
    expect(text.split('\n')).toEqual([
      '# research team',
      'formation: pipeline   # everyone at once',
      'tool_budget: 45 # 45 calls',
      // The example: 128 s is not 20 minutes, so the comment is kept and reported.
      'timeout_seconds: 300  # 20 minutes for research',
      'member_count: 3  # three',
      'members:',
      '  - id: a',
      '    enable: false  # on for now',
      '',
    ]);
    expect(comments).toEqual([
      { line: 2, key: 'formation', before: 'parallel', after: 'pipeline', comment: '# everyone at once' },
      { line: 3, key: 'tool_budget', before: 60, after: 45, comment: '# 60 calls', updated: '# 45 calls' },
      { line: 4, key: 'timeout_seconds', before: 128, after: 300, comment: '# 20 minutes for research' },
      { line: 8, key: 'members[a].enable', before: true, after: false, comment: '# on for now' },
    ]);
    // Only comments changed beyond the values: the data is exactly the new config's.
    expect(parseDocument(text).toJS()).toMatchObject({ formation: 'pipeline', tool_budget: 45, timeout_seconds: 300 });
  });

  it('works in a team node with CRLF line ends and a BOM, and leaves unchanged values\' comments alone', () => {
    const text = '\uFEFFworkflow:\r\n  nodes:\r\n    - id: t\r\n      type: team\r\n      team_formation: pipeline\r\n      total_tool_budget: 60\r\n      timeout_seconds: 1200  # 20 minutes\r\n      member_count: 2  # two\r\n';
    const file = workflowFromText('old.yaml', text);
    const { text: out, comments } = renderWorkflowChange(file, { ...file.config, timeoutSeconds: 1800 });
    expect(out).toBe(text.replace('1200  # 20 minutes', '1800  # 30 minutes'));
    expect(comments).toEqual([{ line: 7, key: 'timeout_seconds', before: 1200, after: 1800, comment: '# 20 minutes', updated: '# 30 minutes' }]);
  });

  it('reports nothing for JSON, which has no comments', () => {
    const file = workflowFromText('team.json', '{"formation": "parallel", "member_count": 3, "timeout_seconds": 1200}\n');
    expect(renderWorkflowChange(file, { ...file.config, timeoutSeconds: 300 }).comments).toEqual([]);
  });
});

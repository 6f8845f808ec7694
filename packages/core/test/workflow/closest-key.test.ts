import { workflowFromText } from '@autotune/core';

describe('a workflow file with a misspelt required key', () => {
  it('fails on that key and line, suggesting `formation` for `formaton:`', () => {
    expect(() => workflowFromText('team.yaml', 'team_id: t\nformaton: parallel\nmember_count: 3\n')).toThrow(
      /team\.yaml, line 2, field "formaton": unknown key "formaton"; did you mean "formation"\?/,
    );
  });

  it('still says what was expected when the key is simply missing', () => {
    expect(() => workflowFromText('team.yaml', 'team_id: t\nmember_count: 3\n')).toThrow(/field "formation": expected a formation/);
  });
});

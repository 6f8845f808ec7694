import { workflowFromText } from '@autotune/core';
import { editDistance, misspeltKey } from '../../src/workflow/closest-key';

describe('a misspelt required key is named with the key it meant', () => {
  it.each([
    ['formaton', 'formation', 1],
    ['fromation', 'formation', 1],
    ['member_cuont', 'member_count', 1],
    ['formation', 'formation', 0],
    ['size', 'formation', 8],
  ])('editDistance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each([
    [{ formaton: 'parallel' }, { key: 'formaton', meant: 'formation' }],
    [{ Formation: 'parallel' }, { key: 'Formation', meant: 'formation' }],
    [{ team_formaton: 'parallel' }, { key: 'team_formaton', meant: 'team_formation' }],
    [{ style: 'parallel' }, undefined],
    [{ fo: 'parallel' }, undefined],
  ])('misspeltKey(%j)', (obj, found) => {
    expect(misspeltKey(obj, ['formation', 'team_formation'], new Set(['member_count']))).toEqual(found);
  });

  it('a workflow file with `formaton:` fails on that key and line, suggesting `formation`', () => {
    expect(() => workflowFromText('team.yaml', 'team_id: t\nformaton: parallel\nmember_count: 3\n')).toThrow(
      /team\.yaml, line 2, field "formaton": unknown key "formaton"; did you mean "formation"\?/,
    );
  });

  it('a key that is simply missing still says what was expected', () => {
    expect(() => workflowFromText('team.yaml', 'team_id: t\nmember_count: 3\n')).toThrow(/field "formation": expected a formation/);
  });
});

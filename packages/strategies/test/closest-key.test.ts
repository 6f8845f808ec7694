import { editDistance, misspeltKey } from '../src/closest-key';

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
});

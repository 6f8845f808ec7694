import { locateJsonError } from '@autotune/core';

describe('locateJsonError', () => {
  it.each([
    ['{"a": 1}', undefined],
    ['[1, -2.5e3, "x\\"y", true, false, null, {}]', undefined],
    ['{\n  "a": 1,\n}', { line: 3, column: 1, message: 'expected a double-quoted property name' }],
    ['{"a" 1}', { line: 1, column: 6, message: 'expected ":" after "a"' }],
    ['[1 2]', { line: 1, column: 4, message: 'expected "," or "]" after a list item' }],
    ['{"a": tru}', { line: 1, column: 7, message: 'unexpected character "t"' }],
    ['{"a": "x', { line: 1, column: 9, message: 'unterminated string' }],
    ['{} x', { line: 1, column: 4, message: 'unexpected text after the end of the JSON value' }],
    ['', { line: 1, column: 1, message: 'unexpected end of input' }],
    ['{"a": 1, "a": 2}', { line: 1, column: 10, message: 'duplicate key "a"' }],
  ])('%p -> %p', (text, expected) => {
    expect(locateJsonError(text)).toEqual(expected);
  });
});

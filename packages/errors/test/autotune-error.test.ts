import { AUTOTUNE_ERROR_BRAND, AutotuneError, formatLocation, isAutotuneError } from '@autotune/errors';

class ThingError extends AutotuneError<'THING_BROKEN' | 'THING_MISSING'> {
  override readonly name = 'ThingError';
}

describe('formatLocation', () => {
  it.each([
    [{}, ''],
    [{ file: 'runs.jsonl' }, 'runs.jsonl'],
    [{ file: 'runs.jsonl', line: 3 }, 'runs.jsonl, line 3'],
    [{ file: 'team.yaml', line: 3, column: 7, field: 'member_count' }, 'team.yaml, line 3, column 7, field "member_count"'],
    [{ file: 'runs.json', index: 4, field: 'success' }, 'runs.json, record 4, field "success"'],
    [{ file: 'runs.json', line: 9, index: 4 }, 'runs.json, line 9'],
    [{ field: 'options.alpha' }, 'field "options.alpha"'],
    [{ flag: '--runs-per-arm' }, ''],
  ])('%j reads %j', (loc, text) => {
    expect(formatLocation(loc)).toBe(text);
  });
});

describe('AutotuneError', () => {
  it('has one shape: code, message led by the location, location, details, cause', () => {
    const cause = new Error('EACCES');
    const e = new ThingError('THING_BROKEN', 'expected a number, got "x"', { location: { file: 'a.yaml', line: 2, field: 'k' }, details: { got: 'x' }, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'ThingError',
      code: 'THING_BROKEN',
      message: 'a.yaml, line 2, field "k": expected a number, got "x"',
      location: { file: 'a.yaml', line: 2, field: 'k' },
      details: { got: 'x' },
    });
    expect(e.cause).toBe(cause);
    expect(e[AUTOTUNE_ERROR_BRAND]).toBe(true);
  });

  it('defaults to an empty location and details, no cause, and the bare message', () => {
    const e = new ThingError('THING_MISSING', 'no thing');
    expect(e).toMatchObject({ message: 'no thing', location: {}, details: {} });
    expect('cause' in e).toBe(false);
  });

  it('keeps a message that names its location itself as it is', () => {
    const e = new ThingError('THING_BROKEN', '--runs-per-arm expects a whole number', { location: { flag: '--runs-per-arm' }, messageNamesLocation: true });
    expect(e.message).toBe('--runs-per-arm expects a whole number');
    expect(e.location).toEqual({ flag: '--runs-per-arm' });
  });
});

describe('isAutotuneError', () => {
  it('recognises the brand, not the class: an error from another copy of a package counts', () => {
    const foreign = Object.assign(new Error('from another copy'), { name: 'CoreError', code: 'CORE_LOCKED', location: {}, details: {} });
    expect(isAutotuneError(foreign)).toBe(false);
    (foreign as unknown as Record<symbol, unknown>)[Symbol.for('@autotune/error')] = true;
    expect(isAutotuneError(foreign)).toBe(true);
    expect(isAutotuneError(foreign, { name: 'CoreError', code: 'CORE_LOCKED' })).toBe(true);
    expect(isAutotuneError(foreign, { name: 'CoreError', code: 'CORE_IO' })).toBe(false);
    expect(isAutotuneError(foreign, { name: 'MetricsError' })).toBe(false);
  });

  it.each([[null], [undefined], ['CORE_LOCKED'], [new Error('plain')], [{ code: 'X' }]])('is false for %p', (u) => {
    expect(isAutotuneError(u)).toBe(false);
  });
});

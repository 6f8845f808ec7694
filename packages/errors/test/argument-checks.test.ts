import { AutotuneError, argumentChecks, describeValue, isAutotuneError } from '@autotune/errors';

class ThingError extends AutotuneError<'THING_INVALID_INPUT'> {
  override readonly name = 'ThingError';
}

const checks = argumentChecks((field, message) => new ThingError('THING_INVALID_INPUT', message, { location: { field } }));

/** The error a check threw, so a test can look at its class, code, field and message. */
function thrown(check: () => unknown): unknown {
  try {
    check();
  } catch (e) {
    return e;
  }
  throw new Error('expected the check to throw');
}

describe('argumentChecks', () => {
  it('returns a value that passes, unchanged', () => {
    expect(checks.seed(-7, 'seed')).toBe(-7);
    expect(checks.openUnit(0.05, 'options.alpha')).toBe(0.05);
    expect(checks.integerAtLeast(10, 'options.runs', 10)).toBe(10);
    expect(checks.oneOf('less', 'options.alternative', ['less', 'greater'] as const)).toBe('less');
  });

  it.each<[string, () => unknown, string, string]>([
    ['a fractional seed', () => checks.seed(1.5, 'options.seed'), 'options.seed', 'expected an integer seed, got 1.5'],
    ['a seed past 2^53', () => checks.seed(2 ** 53, 'options.seed'), 'options.seed', `expected an integer seed, got ${2 ** 53}`],
    ['a probability of 1', () => checks.openUnit(1, 'options.alpha'), 'options.alpha', 'expected a number strictly between 0 and 1, got 1'],
    ['a probability given as text', () => checks.openUnit('0.05', 'options.alpha'), 'options.alpha', 'expected a number strictly between 0 and 1, got "0.05"'],
    ['NaN', () => checks.openUnit(NaN, 'options.power'), 'options.power', 'expected a number strictly between 0 and 1, got NaN'],
    ['too few runs', () => checks.integerAtLeast(9, 'options.runsPerArm', 10), 'options.runsPerArm', 'expected an integer >= 10, got 9'],
    ['a fractional count', () => checks.integerAtLeast(10.5, 'options.runsPerArm', 10), 'options.runsPerArm', 'expected an integer >= 10, got 10.5'],
    ['a word not in the set', () => checks.oneOf('both', 'options.alternative', ['less', 'greater']), 'options.alternative', "expected one of 'less', 'greater', got \"both\""],
    ['an array for a word', () => checks.oneOf(['less'], 'options.alternative', ['less']), 'options.alternative', "expected one of 'less', got an array of 1"],
  ])('refuses %s with the caller\'s own error, naming the field', (_label, check, field, message) => {
    const e = thrown(check);
    expect(e).toBeInstanceOf(ThingError);
    expect(isAutotuneError(e, { code: 'THING_INVALID_INPUT' })).toBe(true);
    expect(e).toMatchObject({ location: { field }, message: `field "${field}": ${message}` });
  });
});

describe('describeValue', () => {
  it.each<[unknown, string]>([
    [3, '3'],
    [NaN, 'NaN'],
    ['x', '"x"'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1, 2], 'an array of 2'],
    [{ a: 1 }, 'object'],
  ])('renders %p as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});

import * as pkg from '@autotune/postgres';

describe('@autotune/postgres entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(
      [
        'POSTGRES_SCHEMA_VERSION',
        'PostgresError',
        'PostgresStore',
        'QueueTrialRunner',
        'TRIAL_QUEUE_PREFIX',
        'TrialWorker',
        'isPostgresError',
        'isPostgresUrl',
        'maskConnectionString',
        'maskSecrets',
        'passwordOf',
        'trialQueueName',
      ].sort(),
    );
  });

  it.each([
    ['postgres://ci:s3cret@db:5432/autotune', 'postgres://ci:***@db:5432/autotune'],
    ['postgresql://ci:p%40ss@db/autotune?sslmode=require', 'postgresql://ci:***@db/autotune?sslmode=require'],
    ['postgres://db/autotune?user=ci&password=s3cret', 'postgres://db/autotune?user=ci&password=***'],
    ['could not connect to postgres://ci:s3cret@db/x: refused', 'could not connect to postgres://ci:***@db/x: refused'],
    ['postgres://ci@db/autotune', 'postgres://ci@db/autotune'],
  ])('masks the password of %s', (input, masked) => {
    expect(pkg.maskConnectionString(input)).toBe(masked);
  });

  it('finds the password to mask where a driver quotes it alone', () => {
    expect(pkg.passwordOf('postgres://ci:p%40ss@db/autotune')).toBe('p@ss');
    expect(pkg.maskSecrets('password authentication failed ("p@ss")', ['p@ss'])).toBe('password authentication failed ("***")');
  });
});

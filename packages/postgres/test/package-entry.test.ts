import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as pkg from '@autotune/postgres';

// The exact public runtime names: a new export is a decision, not an accident.
const PUBLIC_NAMES = [
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
];

// Node itself (a child process, not Jest's moduleNameMapper, which maps @autotune/* to sources) resolves the
// specifier through the built package's package.json "exports", as a user's program would; the test target
// depends on this package's build, so dist is current.
function built(specifier: string): { file: string; names: string[] } {
  const script = `const s = ${JSON.stringify(specifier)}; console.log(JSON.stringify({ file: require.resolve(s), names: Object.keys(require(s)).sort() }))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
  return JSON.parse(out) as { file: string; names: string[] };
}

describe('@autotune/postgres entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(PUBLIC_NAMES);
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

  it('exposes the same names from the built package, resolved through its exports', () => {
    const main = built('@autotune/postgres');
    expect(main.file).toBe(path.resolve(__dirname, '../dist/index.js'));
    expect(main.names).toEqual(PUBLIC_NAMES);
  }, 60_000);

  it('finds the password to mask where a driver quotes it alone', () => {
    expect(pkg.passwordOf('postgres://ci:p%40ss@db/autotune')).toBe('p@ss');
    expect(pkg.maskSecrets('password authentication failed ("p@ss")', ['p@ss'])).toBe('password authentication failed ("***")');
  });
});

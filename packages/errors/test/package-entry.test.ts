import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as pkg from '@autotune/errors';

// The exact public runtime names: a new export is a decision, not an accident.
const PUBLIC_NAMES = ['AUTOTUNE_ERROR_BRAND', 'AutotuneError', 'argumentChecks', 'describeValue', 'formatLocation', 'isAutotuneError'];

// Node itself (a child process, not Jest's moduleNameMapper, which maps @autotune/* to sources) resolves the
// specifier through the built package's package.json "exports", as a user's program would; the test target
// depends on this package's build, so dist is current.
function built(specifier: string): { file: string; names: string[] } {
  const script = `const s = ${JSON.stringify(specifier)}; console.log(JSON.stringify({ file: require.resolve(s), names: Object.keys(require(s)).sort() }))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
  return JSON.parse(out) as { file: string; names: string[] };
}

describe('@autotune/errors entry', () => {
  it('exposes exactly its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(PUBLIC_NAMES);
  });

  it('exposes the same names from the built package, resolved through its exports', () => {
    const main = built('@autotune/errors');
    expect(main.file).toBe(path.resolve(__dirname, '../dist/index.js'));
    expect(main.names).toEqual(PUBLIC_NAMES);
  }, 60_000);
});

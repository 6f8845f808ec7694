// The point of this package is to show that a strategy needs nothing but the public contract: enforce it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function specifiers(dir: string): Array<[string, string]> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = join(dir, e.name);
    if (e.isDirectory()) return specifiers(file);
    if (!/\.(ts|mjs)$/.test(e.name)) return [];
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => [file, m[1]] as [string, string]);
  });
}

describe('imports', () => {
  it.each([
    ['src', /^(\.|@autotune\/strategies$)/],
    ['test', /^(\.|\.\.|node:|@autotune\/strategies(\/testing)?$)/],
    ['test-node', /^(\.\.|node:|@autotune\/strategies(\/testing)?$)/],
  ])('%s uses only @autotune/strategies public entry points', (dir, allowed) => {
    const found = specifiers(join(__dirname, '..', dir));
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter(([, spec]) => !allowed.test(spec))).toEqual([]);
  });
});

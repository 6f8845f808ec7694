import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// The published package carries @stdlib inside dist (scripts/bundle-stdlib.mjs), so installing it brings no
// other package than @autotune/errors (the one error shape, itself without dependencies). These read the build output; the reference-value tests prove it computes the same numbers
// (they run once against src and once against dist, see jest.config.cjs).
const root = path.resolve(__dirname, '..');

describe('the built @autotune/stats', () => {
  it('has no runtime dependency but @autotune/errors, which has none', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['@autotune/errors']);
    const errors = JSON.parse(readFileSync(path.join(root, '..', 'errors', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(errors.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
  });

  it('requires no @stdlib package at run time: the distributions are bundled into dist/distributions.js', () => {
    const code = readFileSync(path.join(root, 'dist', 'distributions.js'), 'utf8');
    expect(code).not.toMatch(/require\(["']@stdlib\//);
    const external = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? '');
    expect(external.every((name) => !name.startsWith('.') && !name.includes('/'))).toBe(true); // node built-ins only
    expect(readFileSync(path.join(root, 'dist', 'THIRD-PARTY-NOTICES.md'), 'utf8')).toMatch(/@stdlib\/stats-base-dists-t-cdf@\S+ \(Apache-2\.0\)/);
  });
});

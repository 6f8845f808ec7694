// Build step after tsc: bundles the four @stdlib distribution functions that src/distributions.ts imports
// into dist/distributions.js, so the published package has no runtime dependencies (installing
// @autotune/analyzer would otherwise bring about 230 @stdlib packages, 29 MB). @stdlib stays the source of
// the numbers; only where they are installed from changes. The licences of the bundled packages (all
// Apache-2.0) are written to dist/THIRD-PARTY-NOTICES.md, and their @license comments are kept.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const pkgDir = path.resolve(import.meta.dirname, '..');
const file = path.join(pkgDir, 'dist', 'distributions.js');
if (!fs.existsSync(file)) throw new Error(`${file} is missing: run tsc -p tsconfig.lib.json first`);
if (!fs.readFileSync(file, 'utf8').includes('require("@stdlib/')) {
  throw new Error(`${file} no longer requires @stdlib: it was bundled already, or src/distributions.ts changed`);
}

const result = await build({
  entryPoints: [file],
  outfile: file,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'inline',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

// Which packages went in, with their versions and licences, read from their own package.json.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /node_modules\/(@stdlib\/[^/]+)\//.exec(input);
  if (!m || packages.has(m[1])) continue;
  const manifestPath = path.join(input.slice(0, input.indexOf(m[1]) + m[1].length), 'package.json');
  const manifest = JSON.parse(fs.readFileSync(path.resolve(manifestPath), 'utf8'));
  packages.set(m[1], { version: manifest.version, license: manifest.license, dir: path.dirname(path.resolve(manifestPath)) });
}
const foreign = [...Object.keys(result.metafile.inputs)].filter((i) => i.includes('node_modules/') && !i.includes('node_modules/@stdlib/'));
if (foreign.length > 0) throw new Error(`unexpected packages in the bundle: ${foreign.join(', ')}`);
const licenceText = [...packages.values()].map((p) => path.join(p.dir, 'LICENSE')).find((f) => fs.existsSync(f));
const lines = [
  '# Third-party code in dist/distributions.js',
  '',
  'Bundled at build time from these packages of the stdlib project (https://github.com/stdlib-js/stdlib):',
  '',
  ...[...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, p]) => `- ${name}@${p.version} (${p.license})`),
  '',
  licenceText ? fs.readFileSync(licenceText, 'utf8') : 'Apache License 2.0: https://www.apache.org/licenses/LICENSE-2.0',
];
fs.writeFileSync(path.join(pkgDir, 'dist', 'THIRD-PARTY-NOTICES.md'), lines.join('\n'));
const bytes = fs.statSync(file).size;
console.log(`bundle-stdlib: ${packages.size} @stdlib packages into dist/distributions.js (${(bytes / 1024).toFixed(1)} kB)`);

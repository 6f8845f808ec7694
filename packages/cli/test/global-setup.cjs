// The end-to-end tests run dist/bin.js. Rebuild it when any source file is newer than the build, so that
// `npx jest` in this folder never tests stale output. The packages below must be built already
// (`npx nx run-many -t build` at the root, or the Nx test target, which depends on the builds).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..');
  const bin = path.join(root, 'dist', 'bin.js');
  const core = path.join(root, '..', 'core', 'dist', 'index.js');
  if (!fs.existsSync(core)) throw new Error('packages/core/dist is missing: run `npx nx run-many -t build` at the workspace root first');
  if (!fs.existsSync(bin) || fs.statSync(bin).mtimeMs < newest(path.join(root, 'src'))) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });
    // As the package's build script does: tsc writes files without the run bit the bin needs.
    fs.chmodSync(bin, 0o755);
  }
};

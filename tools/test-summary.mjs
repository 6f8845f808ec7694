// Sums the Jest results of every project (each writes .jest-results.json; Nx restores it from its cache when
// a test task is not re-run) into one closing line, so a CI log states how many tests ran.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;
let suites = 0;
const missing = [];
for (const parent of ['packages', 'examples']) {
  for (const name of fs.readdirSync(path.join(root, parent))) {
    const dir = path.join(root, parent, name);
    const manifest = path.join(dir, 'package.json');
    if (!fs.existsSync(manifest) || !JSON.parse(fs.readFileSync(manifest, 'utf8')).scripts?.test) continue;
    const file = path.join(dir, '.jest-results.json');
    if (!fs.existsSync(file)) {
      missing.push(`${parent}/${name}`);
      continue;
    }
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    suites += r.numTotalTestSuites;
  }
}
if (missing.length) {
  console.error(`test-summary: no results for ${missing.join(', ')} (run npm run test:unit)`);
  process.exitCode = 1;
}
if (passed === 0) process.exitCode = 1;
console.log(`${suites} test suites`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0) process.exitCode = 1;

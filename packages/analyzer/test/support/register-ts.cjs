// Lets a child process (and its worker threads, which inherit this hook through execArgv) run the
// workspace's TypeScript sources directly, as Jest does: @autotune/X resolves to packages/X/src/index.ts.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const packages = path.resolve(__dirname, '../../..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@autotune\/([a-z]+)$/.exec(request);
  if (m) return path.join(packages, m[1], 'src', 'index.ts');
  try {
    return resolve.call(this, request, ...rest);
  } catch (e) {
    if (request.startsWith('.')) return resolve.call(this, `${request}.ts`, ...rest);
    throw e;
  }
};
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(out.outputText, filename);
};

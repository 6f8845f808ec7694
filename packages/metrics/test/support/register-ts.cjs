// Lets a child process run the package's TypeScript sources directly (no build), as Jest does: each .ts
// file is transpiled to CommonJS on require, and @autotune/metrics resolves to src/index.ts.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const src = path.resolve(__dirname, '../../src/index.ts');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@autotune/metrics') return src;
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

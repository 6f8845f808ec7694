import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/**
 * A metrics file's text as a stream of strings. A path ending in `.gz` is gunzipped on the fly (rotated logs
 * often are); a read failure surfaces on the returned stream.
 */
export function openText(path: string, chunkBytes: number): NodeJS.ReadableStream & { destroy(): void } {
  if (!path.endsWith('.gz')) return createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
  const raw = createReadStream(path, { highWaterMark: chunkBytes });
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  gunzip.on('close', () => raw.destroy());
  return raw.pipe(gunzip).setEncoding('utf8');
}

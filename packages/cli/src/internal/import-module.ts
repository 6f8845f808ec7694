import { pathToFileURL } from 'node:url';

/**
 * Loads a file or package entry by absolute path, CommonJS or ES module alike. TypeScript keeps `import()`
 * as it is in CommonJS output under `module: nodenext`, so this is Node's real dynamic import.
 */
export async function importModule(absolutePath: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
}

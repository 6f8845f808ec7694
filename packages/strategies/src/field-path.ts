/** A path into a parsed YAML/JSON document: map keys and list indexes. */
export type FieldPath = readonly (string | number)[];

/** `workflows.main.nodes[2].members[0].id`: the dotted form used in error messages. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** A short rendering of a bad value for a message: `got "no"`, `got a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * A problem found while reading a team config, before it is known which file or line it came from.
 * {@link parseTeamObject} throws it; its callers (core's workflow files, the simulator's scenarios) turn it
 * into their own error with the file and line added.
 */
export class ConfigIssue extends Error {
  constructor(
    readonly path: FieldPath,
    readonly expected: string,
    readonly got: unknown,
    readonly gotMissing = false,
  ) {
    super(`expected ${expected}, got ${gotMissing ? 'nothing' : describeValue(got)}`);
  }
}

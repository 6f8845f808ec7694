/** A JSON syntax problem at a character offset. */
export interface JsonProblem {
  offset: number;
  message: string;
}

/**
 * Finds the first syntax error in JSON text, or a duplicate key (which JSON.parse silently resolves, and
 * which would make a write-back ambiguous). Node's JSON.parse messages do not always carry a position;
 * this gives one so the error can name the line.
 */
export function checkJson(text: string): JsonProblem | undefined {
  let i = 0;
  const fail = (message: string): never => {
    throw new JsonProblemFound({ offset: i, message });
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('control character in a string');
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('invalid escape in a string');
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a double-quoted property name');
        const keyAt = i;
        const key = str();
        if (keys.has(key)) {
          i = keyAt;
          fail(`duplicate key "${key}"`);
        }
        keys.add(key);
        ws();
        if (text[i] !== ':') fail(`expected ":" after "${key}"`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('expected "," or "}" after a property value');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('expected "," or "]" after a list item');
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) return fail(i >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
      i += m[0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (e) {
    if (e instanceof JsonProblemFound) return e.problem;
    throw e;
  }
}

/** Thrown inside checkJson only, to unwind its recursive descent to the one catch that returns the problem. */
class JsonProblemFound extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.message);
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let j = 0; j < offset && j < text.length; j++) {
    if (text[j] === '\n') {
      line++;
      lineStart = j + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Where and why `text` is not JSON (1-based line and column), or undefined when it is. For error messages:
 * Node's JSON.parse messages carry no line and, on Node 20, often no position.
 */
export function locateJsonError(text: string): { line: number; column: number; message: string } | undefined {
  const problem = checkJson(text);
  return problem && { ...lineColumn(text, problem.offset), message: problem.message };
}

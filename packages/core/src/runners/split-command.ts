import { CoreError } from '../errors';

/**
 * Splits a command line into argv the way a POSIX shell splits words, and nothing more: whitespace
 * separates words; '…' is literal; "…" is literal except that \" and \\ escape; outside quotes a backslash
 * escapes the next character; quoted pieces join the word they touch ("a"'b'c is abc; "" is an empty word).
 * There is no shell: `|`, `>`, `$VAR`, `*` and `~` are plain characters.
 *
 * @throws CoreError `CORE_CONFIG_INVALID` for an unterminated quote or an empty command.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command.charAt(i);
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw unterminated(command, "'", i);
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === '\\' && (command[j + 1] === '"' || command[j + 1] === '\\')) j++;
        word += command[j];
      }
      if (j >= command.length) throw unterminated(command, '"', i);
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new CoreError('CORE_CONFIG_INVALID', 'the runner command is empty: expected a program and its arguments', { location: { field: 'command' } });
  return words;
}

function unterminated(command: string, quote: string, at: number): CoreError {
  return new CoreError('CORE_CONFIG_INVALID', `unterminated ${quote} quote at character ${at + 1} of the runner command: ${command}`, { location: { field: 'command' } });
}

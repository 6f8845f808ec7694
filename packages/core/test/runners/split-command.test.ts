import { CoreError } from '../../src/errors';
import { splitCommand } from '../../src/runners/split-command';

describe('splitCommand', () => {
  it.each<[string, string[]]>([
    ['node team.js', ['node', 'team.js']],
    ['  node   team.js\t--fast \n', ['node', 'team.js', '--fast']],
    ["python3 'my team.py' --name 'a b'", ['python3', 'my team.py', '--name', 'a b']],
    ['run "say \\"hi\\"" "back\\\\slash" "keep \\n"', ['run', 'say "hi"', 'back\\slash', 'keep \\n']],
    ["'single \\ stays' \"$HOME\"", ['single \\ stays', '$HOME']],
    ['a\\ b c\\"d', ['a b', 'c"d']],
    ['pre"quoted"\'joined\'post', ['prequotedjoinedpost']],
    ['cmd "" \'\'', ['cmd', '', '']],
    ['team | tee out > log *', ['team', '|', 'tee', 'out', '>', 'log', '*']],
  ])('splits %j', (command, argv) => {
    expect(splitCommand(command)).toEqual(argv);
  });

  it.each([
    ['node "team.js', 'unterminated " quote at character 6'],
    ["node 'team.js", "unterminated ' quote at character 6"],
    ['', 'the runner command is empty'],
    [' \t ', 'the runner command is empty'],
  ])('rejects %j', (command, message) => {
    expect(() => splitCommand(command)).toThrow(CoreError);
    expect(() => splitCommand(command)).toThrow(message);
  });
});

// `autotune help [topic|command]` and the examples at the end of each command's --help. Kept out of
// program.ts, which declares the commands, so that help text and the command tree change independently.
import type { Command } from 'commander';
import { CliError } from './errors';
import { HELP_TOPICS, isHelpTopic } from './help-topics';
import type { Terminal } from './terminal';

/**
 * Two or three command lines per command, shown under "Examples:" in `autotune <command> --help`. They use
 * the files a new user has: the shipped scenarios and what `simulate` writes.
 */
export const COMMAND_EXAMPLES: Record<string, readonly string[]> = {
  analyze: [
    'autotune analyze --metrics metrics.jsonl',
    'autotune analyze --team-id research_team --metrics monday.jsonl tuesday.jsonl --json',
    'autotune analyze --metrics runs.json --output report.json',
  ],
  suggest: [
    'autotune suggest --config workflow.yaml --metrics metrics.jsonl',
    'autotune suggest --team-id research_team --config workflow.yaml --metrics metrics.jsonl --json',
    'autotune suggest            # workflow, metrics and team from autotune.config.*',
  ],
  apply: [
    'autotune apply --config workflow.yaml --metrics metrics.jsonl --auto --runner "node run-team.js"',
    'autotune apply --config workflow.yaml --metrics metrics.jsonl --auto --simulate --seed 7',
    'autotune apply --config workflow.yaml --metrics metrics.jsonl --interactive --dry-run',
  ],
  benchmark: [
    'autotune benchmark --before old.yaml --after new.yaml --runner "node run-team.js" --runs 20',
    'autotune benchmark --before old.yaml --after new.yaml --simulate --metric cost --json',
  ],
  validate: [
    'autotune validate --config workflow.yaml --runner "node run-team.js"',
    'autotune validate --config workflow.yaml --simulate --runs 20 --no-auto-rollback',
  ],
  rollback: [
    'autotune rollback --config workflow.yaml --list',
    'autotune rollback --config workflow.yaml --index 0',
  ],
  history: ['autotune history --config workflow.yaml', 'autotune history --team-id research_team --db .autotune/autotune.db --json'],
  unlock: ['autotune unlock --team-id research_team --config workflow.yaml', 'autotune unlock --team-id research_team --db .autotune/autotune.db --yes'],
  worker: [
    'autotune worker --db postgres://autotune@db.internal/autotune --runner "node run-team.js"',
    'autotune worker --db postgres://autotune@db.internal/autotune --simulate --concurrency 4 --team-id research_team',
  ],
  watch: [
    'autotune watch --config workflow.yaml --metrics runs.jsonl --runner "node run-team.js" --interval 24h',
    'autotune watch --config workflow.yaml --metrics runs.jsonl --simulate --interval 30s --json',
  ],
  simulate: [
    'autotune simulate --list',
    'autotune simulate --scenario research-consensus-oversized --runs 40 --seed 7 --out metrics.jsonl',
    'autotune simulate --config workflow.yaml --format original --out metrics.json',
  ],
};

/** Adds "Examples:" to each command's --help, and `autotune help [topic|command]`. */
export function addHelp(program: Command, terminal: Terminal): void {
  for (const command of program.commands) {
    const examples = COMMAND_EXAMPLES[command.name()];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
  const topics = Object.keys(HELP_TOPICS);
  program.helpCommand(false);
  program
    .command('help')
    .description(`show help for a command, or a reference: ${topics.map((t) => `"${t}"`).join(', ')}`)
    .argument('[topic]', `a command name, or ${topics.join(' or ')}`)
    .addHelpText('after', `\nExamples:\n  $ autotune help runner\n  $ autotune help config\n  $ autotune help apply\n`)
    .action((topic: string | undefined) => {
      if (topic === undefined) return program.outputHelp();
      if (isHelpTopic(topic)) {
        terminal.stdout.write(HELP_TOPICS[topic]);
        return;
      }
      const command = program.commands.find((c) => c.name() === topic && c.name() !== 'help');
      if (command) return command.outputHelp();
      const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
      throw new CliError('CLI_USAGE', `no help for "${topic}": expected a topic (${topics.join(', ')}) or a command (${names.join(', ')})`, { location: { field: 'topic' } });
    });
}

import { banner, formatSuggestionList } from '../format';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';
import { EXIT_CODES } from '../exit-codes';
import { CliError } from '../errors';

/** `autotune suggest`: prioritised config changes for a team's workflow file, from its metrics. */
export async function suggestCommand(flags: CommonFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const workflowPath = session.requireWorkflowPath();
    // The workflow first: a problem with the file the user named (a formation to declare) is the one to hear about.
    const file = await session.loadWorkflow(workflowPath, session.teamId);
    const paths = session.metricsPaths;
    const analyzer = await session.analyzer(paths);
    // With --db the store's recorded runs count too; without it, suggest touches no database.
    const store = flags.db || session.project.config.db ? session.openStore(workflowPath).store : undefined;
    const teamId = file.teamId;
    if (!analyzer.listTeams().includes(teamId) && !(store && (await store.listRecords(teamId, { limit: 1 })).length > 0)) {
      if (paths.length === 0) throw new CliError('CLI_USAGE', `no metrics for team "${teamId}": pass --metrics FILE`);
    }
    const autotuner = await session.autotuner({ analyzer, ...(store ? { store } : {}) });
    const suggestions = await autotuner.suggestOptimizations(teamId, file);
    session.print(`${banner('Optimization Suggestions', session.colors)}\nTeam ID: ${teamId}\nWorkflow: ${file.path}\n\n${formatSuggestionList(suggestions, session.colors)}`);
    session.emitJson({ teamId, workflow: file.path, suggestions });
    return EXIT_CODES.SUCCESS;
  });
}

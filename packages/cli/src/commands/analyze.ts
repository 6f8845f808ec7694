import { formatAnalysis } from '../format';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';
import { EXIT_CODES } from '../exit-codes';
import { CliError } from '../errors';

/**
 * `autotune analyze`: the bottlenecks of a team's recorded runs, each with its severity, numbers,
 * recommendation and evidence.
 */
export async function analyzeCommand(flags: CommonFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const paths = session.metricsPaths;
    if (paths.length === 0) throw new CliError('CLI_USAGE', 'missing --metrics FILE (or set "metrics" in autotune.config.*)');
    const { describeEvidence } = require('@autotune/analyzer') as typeof import('@autotune/analyzer');
    // With a team named, other teams' runs are skipped while reading instead of being aggregated for nothing.
    const wanted = session.teamId;
    let analyzer = await session.analyzer(paths, { teamId: wanted });
    if (wanted !== undefined && analyzer.listTeams().length === 0) {
      // The team is not in the files: read them in full once more, so that the error lists the teams that are.
      analyzer = await session.analyzer(paths);
    }
    const teamId = session.pickTeam(analyzer);
    const insights = analyzer.analyzeTeamWorkflow(teamId);
    const stats = analyzer.getTeamStats(teamId);
    session.print(formatAnalysis(teamId, insights, (i) => describeEvidence(i.evidence), session.colors));
    session.emitJson({
      teamId,
      runs: stats.runs,
      metrics: paths,
      insights: insights.map((insight) => ({ ...insight, evidenceText: describeEvidence(insight.evidence) })),
    });
    return EXIT_CODES.SUCCESS;
  });
}

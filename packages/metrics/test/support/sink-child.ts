// Child process for the crash test: completes N runs through a JsonlFileSink, reporting each id on stdout
// once its record is written, then starts one more run and waits to be killed in the middle of it.
import { JsonlFileSink, TeamMetricsCollector } from '@autotune/metrics';

async function main(): Promise<void> {
  const [path, countArg] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: sink-child <path> <count>');
  const collector = new TeamMetricsCollector({ sinks: [new JsonlFileSink(path)] });
  for (let n = 0; n < Number(countArg); n++) {
    const id = collector.recordTeamStart('crash_team', { formation: 'parallel', member_count: 2 });
    collector.recordMemberComplete(id, { memberId: 'a', success: true, durationSeconds: 0.01, toolCalls: 1 });
    await collector.recordTeamComplete(id, { success: n % 3 !== 0 });
    process.stdout.write(`done ${id}\n`);
  }
  const inFlight = collector.recordTeamStart('crash_team', { formation: 'parallel', member_count: 2 });
  collector.recordMemberComplete(inFlight, { memberId: 'a', success: true, durationSeconds: 0.01, toolCalls: 1 });
  process.stdout.write(`in-flight ${inFlight}\n`);
  setInterval(() => undefined, 1 << 30);
}

void main();

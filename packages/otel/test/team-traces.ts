// Traces of a four-agent team as the GenAI conventions describe them, emitted through the real OpenTelemetry
// SDK: invoke_workflow > invoke_agent > chat / execute_tool.
import { context, trace, SpanStatusCode, type Tracer } from '@opentelemetry/api';

export interface EmittedRun {
  teamId: string;
  toolCalls: number;
  inputTokens: number;
  failed: boolean;
}

/** Emits one run starting at `startMs`; `withWorkflowSpan: false` makes the root an HTTP span instead. */
export function emitRun(tracer: Tracer, run: number, startMs: number, options: { withWorkflowSpan?: boolean; timeout?: boolean } = {}): EmittedRun {
  const withWorkflow = options.withWorkflowSpan ?? true;
  const members = ['planner', 'researcher', 'writer', 'critic'];
  const root = withWorkflow
    ? tracer.startSpan('invoke_workflow research_team', {
        startTime: startMs,
        attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'autotune.team_id': 'research_team', 'autotune.formation': 'pipeline', 'autotune.tool_budget': 40 },
      })
    : tracer.startSpan('POST /research', { startTime: startMs, attributes: { 'http.request.method': 'POST' } });
  const rootCtx = trace.setSpan(context.active(), root);
  let t = startMs;
  let toolCalls = 0;
  let inputTokens = 0;
  for (const [m, name] of members.entries()) {
    const agent = tracer.startSpan(`invoke_agent ${name}`, { startTime: t, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name } }, rootCtx);
    const agentCtx = trace.setSpan(rootCtx, agent);
    const chat = tracer.startSpan('chat claude', { startTime: t + 1, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 100 + run + m, 'gen_ai.usage.output_tokens': 20 } }, agentCtx);
    inputTokens += 100 + run + m;
    chat.end(t + 50);
    const tools = (run + m) % 3;
    for (let k = 0; k < tools; k++) {
      const tool = tracer.startSpan(`execute_tool search`, { startTime: t + 60 + k, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }, agentCtx);
      tool.end(t + 70 + k);
      toolCalls++;
    }
    agent.end(t + 100);
    t += 100;
  }
  if (options.timeout === true) {
    root.setAttribute('error.type', 'timeout');
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'run timed out' });
  }
  root.end(t + 5);
  return { teamId: 'research_team', toolCalls, inputTokens, failed: options.timeout === true };
}

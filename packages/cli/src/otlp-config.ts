import type { OtlpOptions, OtlpTeamDefaults } from '@autotune/metrics';
import { CliError } from './errors';

/**
 * The config file's `otlp` section, checked field by field:
 * `{ runSpans?: 'auto' | 'invoke_workflow', graceSeconds?: number, maxOpenTraces?: number,
 *    teams?: { <team id>: { formation?, memberCount?, toolBudget?, timeoutSeconds? } } }`.
 * `teams` states what traces do not carry (formation, limits) for each team.
 */
export function otlpOptionsFromConfig(value: unknown, where: string): OtlpOptions | undefined {
  if (value === undefined) return undefined;
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new CliError('CLI_CONFIG', `${where}: field "otlp.${field}" must be ${expected}, got ${JSON.stringify(got)}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('', 'an object', value);
  const o = value as Record<string, unknown>;
  const known = ['runSpans', 'graceSeconds', 'maxOpenTraces', 'teams'];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new CliError('CLI_CONFIG', `${where}: unknown field "otlp.${key}"; known: ${known.join(', ')}`);
  }
  const out: OtlpOptions = {};
  if (o.runSpans !== undefined) {
    if (o.runSpans !== 'auto' && o.runSpans !== 'invoke_workflow') fail('runSpans', '"auto" or "invoke_workflow"', o.runSpans);
    out.runSpans = o.runSpans as NonNullable<OtlpOptions['runSpans']>;
  }
  if (o.graceSeconds !== undefined) {
    if (typeof o.graceSeconds !== 'number' || !(o.graceSeconds >= 0 && o.graceSeconds <= 86_400)) fail('graceSeconds', 'a number of seconds from 0 to 86400', o.graceSeconds);
    out.graceSeconds = o.graceSeconds as number;
  }
  if (o.maxOpenTraces !== undefined) {
    if (!Number.isInteger(o.maxOpenTraces) || (o.maxOpenTraces as number) < 1) fail('maxOpenTraces', 'a whole number of at least 1', o.maxOpenTraces);
    out.maxOpenTraces = o.maxOpenTraces as number;
  }
  if (o.teams !== undefined) {
    if (typeof o.teams !== 'object' || o.teams === null || Array.isArray(o.teams)) fail('teams', 'an object of team id to settings', o.teams);
    const teams: Record<string, OtlpTeamDefaults> = {};
    for (const [id, t] of Object.entries(o.teams as Record<string, unknown>)) {
      if (typeof t !== 'object' || t === null || Array.isArray(t)) fail(`teams.${id}`, 'an object', t);
      const d: OtlpTeamDefaults = {};
      for (const [key, v] of Object.entries(t as Record<string, unknown>)) {
        if (key === 'formation') {
          if (typeof v !== 'string' || v === '') fail(`teams.${id}.formation`, 'a formation name', v);
          d.formation = v as string;
        } else if (key === 'memberCount' || key === 'toolBudget') {
          if (!Number.isInteger(v) || (v as number) < (key === 'memberCount' ? 1 : 0)) fail(`teams.${id}.${key}`, 'a whole number', v);
          d[key] = v as number;
        } else if (key === 'timeoutSeconds') {
          if (typeof v !== 'number' || !(v > 0)) fail(`teams.${id}.timeoutSeconds`, 'a positive number of seconds', v);
          d.timeoutSeconds = v as number;
        } else {
          throw new CliError('CLI_CONFIG', `${where}: unknown field "otlp.teams.${id}.${key}"; known: formation, memberCount, toolBudget, timeoutSeconds`);
        }
      }
      teams[id] = d;
    }
    out.teamDefaults = teams;
  }
  return out;
}

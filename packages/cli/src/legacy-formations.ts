// Formations a workflow file may name beyond autotune's five: the original's legacy ones need a declaration in
// the config file, and the simulator models none of them. The messages here say exactly what to write where.
import type { TeamConfig } from '@autotune/strategies';
import { extname } from 'node:path';

/** The five formations autotune (and its simulator) model. */
export const BUILTIN_FORMATIONS = ['sequential', 'parallel', 'pipeline', 'hierarchical', 'consensus'] as const;

/**
 * Formations of the original that autotune has no model of: `reflection` is in its current list, `adaptive`
 * and `hybrid` in older files. Accepted only when the config file declares them (see docs/cli.md).
 */
export const LEGACY_FORMATIONS: readonly string[] = ['reflection', 'adaptive', 'hybrid'];

/** Where a key of the workflow file sits, as core's `teamKeyInFile` reports it. */
export interface KeyPlace {
  key: string;
  line?: number;
}

/** `team_formation "reflection" (workflow.yaml, line 10)`. */
export function describeKey(file: string, place: KeyPlace, value: string): string {
  return `${place.key} ${JSON.stringify(value)} (${file}${place.line !== undefined ? `, line ${place.line}` : ''})`;
}

/**
 * What to write to declare `formation`: in the config file found (in its own syntax), or a new
 * `autotune.config.json` in the folder autotune is run from when there is none.
 */
export function declarationHint(formation: string, configPath: string | undefined, declared: readonly string[], cwd: string): string {
  const list = [...declared, formation];
  if (configPath === undefined) {
    return `create autotune.config.json in ${cwd} (where you run autotune) holding {"formations": ${JSON.stringify(list)}}`;
  }
  const ext = extname(configPath);
  const setting =
    ext === '.json'
      ? `"formations": ${JSON.stringify(list)}`
      : ext === '.yaml' || ext === '.yml'
        ? `formations: [${list.join(', ')}]`
        : `formations: [${list.map((f) => `'${f}'`).join(', ')}] in the exported object`;
  return `${declared.length > 0 ? 'extend' : 'add'} ${setting} ${declared.length > 0 ? 'in' : 'to'} ${configPath}`;
}

/**
 * The error text for a workflow whose formation is neither built in nor declared: for a legacy formation of the
 * original it says so, and in every case exactly what to add to which config file.
 */
export function undeclaredFormationMessage(file: string, place: KeyPlace, formation: string, configPath: string | undefined, declared: readonly string[], cwd: string): string {
  const where = describeKey(file, place, formation);
  const hint = declarationHint(formation, configPath, declared, cwd);
  if (LEGACY_FORMATIONS.includes(formation)) {
    return (
      `${where} is a legacy formation of the original, not one of autotune's five (${BUILTIN_FORMATIONS.join(', ')}): ` +
      `declare it to work with it: ${hint}. Then analyze, suggest, apply and tune accept it (suggestions may move the team to one of the five); ` +
      'the simulator has no model of it'
    );
  }
  return `${where} is not a formation autotune knows: expected one of ${BUILTIN_FORMATIONS.join(', ')}${declared.length > 0 ? ` or one declared (${declared.join(', ')})` : ''}; if your teams really use it, ${hint}`;
}

/** The first formation in a config (the team's, then its sub-teams') that the simulator has no model of. */
export function unsimulatedFormation(config: TeamConfig): { key: string; formation: string } | undefined {
  const builtin = BUILTIN_FORMATIONS as readonly string[];
  if (!builtin.includes(config.formation)) return { key: 'formation', formation: config.formation };
  const walk = (members: TeamConfig['members'], prefix: string): { key: string; formation: string } | undefined => {
    for (const [i, m] of (members ?? []).entries()) {
      if (m.members && m.members.length > 0 && m.formation !== undefined && !builtin.includes(m.formation)) return { key: `${prefix}[${i}].formation`, formation: m.formation };
      const inner = walk(m.members, `${prefix}[${i}].members`);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(config.members, 'members');
}

/** `a legacy formation of the original` or `not a formation autotune knows`, for the simulator's errors. */
export function formationKind(formation: string): string {
  return LEGACY_FORMATIONS.includes(formation) ? 'a legacy formation of the original' : 'not one of the five it models';
}


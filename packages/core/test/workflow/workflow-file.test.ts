import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CoreError } from '../../src/errors';
import { loadWorkflowFile, workflowFromText } from '../../src/workflow/workflow-file';

/** Everything this file writes goes under one folder, removed at the end. */
const scratchRoot = mkdtempSync(path.join(tmpdir(), 'autotune-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

const fixtures = path.join(__dirname, '..', 'fixtures', 'workflow');
const fixture = (name: string) => path.join(fixtures, name);

async function loadError(promise: Promise<unknown>): Promise<CoreError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error('expected the load to fail');
}

function textError(file: string, text: string, teamId?: string): CoreError {
  try {
    workflowFromText(file, text, teamId);
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error('expected the parse to fail');
}

describe('loadWorkflowFile', () => {
  it('loads a flat YAML team config with its exact text', async () => {
    const file = await loadWorkflowFile(fixture('flat.yaml'));
    expect(file).toMatchObject({ format: 'yaml', kind: 'flat', teamId: 'code_review_team', teamIds: ['code_review_team'], nodePath: [] });
    expect(file.text).toBe(readFileSync(fixture('flat.yaml'), 'utf8'));
    expect(file.config).toMatchObject({ formation: 'parallel', memberCount: 5, toolBudget: 50, timeoutSeconds: 300 });
    expect(file.config.members?.map((m) => m.id)).toEqual(['lead', 'security', 'junior_1', 'junior_2', 'style']);
  });

  it('loads a flat JSON team config', async () => {
    const file = await loadWorkflowFile(fixture('flat.json'));
    expect(file).toMatchObject({ format: 'json', kind: 'flat', teamId: 'research_team' });
    expect(file.config).toEqual({
      formation: 'consensus',
      memberCount: 4,
      toolBudget: 75,
      members: [{ id: 'ana' }, { id: 'bo' }, { id: 'cy' }, { id: 'di' }],
      extra: { team_id: 'research_team', labels: { owner: 'research', tier: 2 } },
    });
  });

  it.each([
    ['notes_team', ['workflows', 'release', 'nodes', 1], { formation: 'sequential', memberCount: 2, toolBudget: 40, timeoutSeconds: 600 }],
    ['verify_team', ['workflows', 'release', 'nodes', 2], { formation: 'consensus', memberCount: 5 }],
    ['patch_team', ['workflows', 'hotfix', 'nodes', 0], { formation: 'parallel', memberCount: 2 }],
  ])('picks the team node %s of a workflow by its id', async (teamId, nodePath, config) => {
    const file = await loadWorkflowFile(fixture('workflow.yaml'), teamId);
    expect(file.kind).toBe('workflow-node');
    expect(file.teamId).toBe(teamId);
    expect(file.teamIds).toEqual(['notes_team', 'verify_team', 'patch_team']);
    expect(file.nodePath).toEqual(nodePath);
    expect(file.config).toMatchObject(config);
  });

  it('keeps a node’s other keys but not its id and type', async () => {
    const file = await loadWorkflowFile(fixture('workflow.yaml'), 'notes_team');
    expect(file.config.extra).toEqual({ tags: ['docs', 'release'] });
  });

  it('picks the only team node of a JSON workflow without being told', async () => {
    const file = await loadWorkflowFile(fixture('workflow.json'));
    expect(file).toMatchObject({ format: 'json', kind: 'workflow-node', teamId: 'build_team', nodePath: ['workflows', 'main', 'nodes', 1] });
    expect(file.config).toMatchObject({ formation: 'pipeline', memberCount: 2, toolBudget: 30 });
  });

  it('names a flat file without team_id after the team it is loaded for, or after itself', async () => {
    const dir = mkdtempSync(path.join(scratchRoot, 'autotune-wf-'));
    const p = path.join(dir, 'my_team.yml');
    writeFileSync(p, 'formation: parallel\nmember_count: 3\n');
    expect((await loadWorkflowFile(p, 'other')).teamId).toBe('other');
    expect((await loadWorkflowFile(p)).teamId).toBe('my_team');
    expect((await loadWorkflowFile(p)).teamIds).toEqual([]);
  });

  it('lists the known team ids for an unknown team', async () => {
    const err = await loadError(loadWorkflowFile(fixture('workflow.yaml'), 'nope'));
    expect(err.code).toBe('CORE_UNKNOWN_TEAM');
    expect(err.message).toContain('workflow.yaml');
    expect(err.message).toContain('team "nope" is not in this file; known team ids: notes_team, verify_team, patch_team');
    expect(err.details.knownTeamIds).toEqual(['notes_team', 'verify_team', 'patch_team']);
  });

  it('asks for a team id when a workflow holds several teams', async () => {
    const err = await loadError(loadWorkflowFile(fixture('workflow.yaml')));
    expect(err.code).toBe('CORE_UNKNOWN_TEAM');
    expect(err.message).toContain('pass a team id: notes_team, verify_team, patch_team');
  });

  it('rejects a flat file whose team_id is another team', async () => {
    const err = await loadError(loadWorkflowFile(fixture('flat.yaml'), 'research_team'));
    expect(err.code).toBe('CORE_UNKNOWN_TEAM');
    expect(err.message).toContain('known team ids: code_review_team');
  });

  it('reports a missing file as CORE_IO', async () => {
    const err = await loadError(loadWorkflowFile(fixture('missing.yaml')));
    expect(err.code).toBe('CORE_IO');
    expect(err.message).toContain('missing.yaml');
    expect(err.message).toContain('no such file');
  });

  it('refuses a file that is not UTF-8, since it could not be restored byte for byte', async () => {
    const dir = mkdtempSync(path.join(scratchRoot, 'autotune-wf-'));
    const p = path.join(dir, 'latin1.yaml');
    writeFileSync(p, Buffer.from([0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x3a, 0x20, 0xe9, 0x0a]));
    const err = await loadError(loadWorkflowFile(p));
    expect(err.code).toBe('CORE_WORKFLOW_PARSE');
    expect(err.message).toContain('not valid UTF-8');
  });
});

describe('older workflow files (no "workflows:" key), read as the original reads them', () => {
  const old = [
    '# written by an older version',
    'workflow:',
    '  name: deep_research',
    '  nodes:',
    '    - id: fetch',
    '      type: agent',
    '    - id: research_team',
    '      type: team',
    '      team_formation: pipeline',
    '      total_tool_budget: 60',
    '      members: [researcher, analyst]',
    '',
  ].join('\n');

  it('takes the team node from "workflow.nodes" (singular), keeping the path to write back to', () => {
    const file = workflowFromText('old.yaml', old);
    expect(file).toMatchObject({ kind: 'workflow-node', teamId: 'research_team', teamIds: ['research_team'], nodePath: ['workflow', 'nodes', 1] });
    expect(file.config).toMatchObject({ formation: 'pipeline', memberCount: 2, toolBudget: 60 });
  });

  it('takes any top-level map with a "nodes" list as a workflow, JSON too, and ignores other top-level keys', () => {
    const text = JSON.stringify({ version: 2, review: { nodes: [{ id: 'r', type: 'team', team_formation: 'parallel', member_count: 3 }] }, notes: 'x' }, null, 2);
    const file = workflowFromText('old.json', text);
    expect(file).toMatchObject({ format: 'json', kind: 'workflow-node', teamId: 'r', nodePath: ['review', 'nodes', 0] });
  });

  it.each([
    ['a "workflow" map without nodes', 'workflow:\n  steps:\n    - name: a\n', 1, 'field "workflow": expected "workflow" (the older singular spelling of "workflows") to hold a "nodes" list', 'got a map without "nodes" (its keys: steps)'],
    ['"workflow.nodes" that is not a list', 'workflow:\n  nodes: 3\n', 2, 'field "workflow.nodes"', 'got "nodes" as 3'],
    ['a "workflow" with no team node', 'workflow:\n  nodes:\n    - id: a\n      type: agent\n', 1, 'field "workflow"', 'expected at least one node with "type: team" in workflow.nodes'],
  ])('explains %s instead of asking for a formation', (_label, text, line, where, what) => {
    const err = textError('old.yaml', text);
    expect(err.code).toBe('CORE_WORKFLOW_INVALID');
    expect(err.location.line).toBe(line);
    expect(err.message).toContain(where);
    expect(err.message).toContain(what);
    expect(err.message).not.toContain('got nothing');
  });
});

describe('workflowFromText errors', () => {
  it.each([
    ['YAML syntax', 'team.yaml', 'formation: parallel\nmember_count: 3\nmembers: [a, b\n', 'CORE_WORKFLOW_PARSE', 4, 'invalid YAML'],
    ['a YAML duplicate key', 'team.yaml', 'formation: parallel\nformation: sequential\nmember_count: 1\n', 'CORE_WORKFLOW_PARSE', 2, 'invalid YAML'],
    ['a JSON trailing comma', 'team.json', '{\n  "formation": "parallel",\n  "member_count": 3,\n}\n', 'CORE_WORKFLOW_PARSE', 4, 'expected a double-quoted property name'],
    ['a JSON duplicate key', 'team.json', '{\n  "formation": "a",\n  "formation": "b"\n}', 'CORE_WORKFLOW_PARSE', 3, 'duplicate key "formation"'],
    ['a JSON missing value', 'team.json', '{\n  "formation": }', 'CORE_WORKFLOW_PARSE', 2, 'unexpected character "}"'],
    ['a bad field', 'team.yaml', 'formation: parallel\nmember_count: 3\ntool_budget: lots\n', 'CORE_WORKFLOW_INVALID', 3, 'field "tool_budget": expected a number at least 0, got "lots"'],
    ['a bad member field', 'team.json', '{\n  "formation": "parallel",\n  "members": [\n    {"id": "a"},\n    {"id": "b", "enable": 1}\n  ]\n}', 'CORE_WORKFLOW_INVALID', 5, 'field "members[1].enable": expected true or false, got 1'],
    ['a missing formation', 'team.yaml', '# team\nmember_count: 3\n', 'CORE_WORKFLOW_INVALID', 2, 'field "formation": expected a formation'],
    ['a list at the top', 'team.yaml', '- a\n- b\n', 'CORE_WORKFLOW_INVALID', 1, 'expected a team config (formation, member_count, ...) or a workflow'],
    ['nodes that are not a list', 'wf.yaml', 'workflows:\n  main:\n    nodes: 3\n', 'CORE_WORKFLOW_INVALID', 3, 'field "workflows.main.nodes": expected a list of nodes'],
    ['a team node without id', 'wf.yaml', 'workflows:\n  main:\n    nodes:\n      - type: team\n        team_formation: parallel\n', 'CORE_WORKFLOW_INVALID', 4, 'expected a team node to have a string "id"'],
    ['a workflow without teams', 'wf.yaml', 'workflows:\n  main:\n    nodes:\n      - id: a\n        type: agent\n', 'CORE_WORKFLOW_INVALID', 1, 'expected at least one node with "type: team"'],
    ['a bad node field', 'wf.yaml', 'workflows:\n  main:\n    nodes:\n      - id: t\n        type: team\n        team_formation: parallel\n        members: 0\n', 'CORE_WORKFLOW_INVALID', 7, 'field "workflows.main.nodes[0].members": expected an integer at least 1, got 0'],
  ])('reports %s with the file, line and what was expected', (_label, file, text, code, line, message) => {
    const err = textError(file, text);
    expect(err.code).toBe(code);
    expect(err.location.file).toBe(file);
    expect(err.location.line).toBe(line);
    expect(err.message).toContain(`${file}, line ${line}`);
    expect(err.message).toContain(message);
  });

  it('refuses a billion-laughs YAML file as a parse error naming the file, before it expands', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const err = textError('laughs.yaml', `${levels.join('\n')}\nformation: parallel\nmember_count: 3\n`);
    expect(err.code).toBe('CORE_WORKFLOW_PARSE');
    expect(err.message).toBe('laughs.yaml: invalid YAML: aliases expand to too much data (more than 1000 alias uses); a workflow file needs none of that');
  });

  it('names both nodes when a team id is ambiguous', () => {
    const text = 'workflows:\n  a:\n    nodes:\n      - {id: t, type: team, team_formation: parallel, member_count: 1}\n  b:\n    nodes:\n      - {id: t, type: team, team_formation: sequential, member_count: 1}\n';
    const err = textError('wf.yaml', text, 't');
    expect(err.code).toBe('CORE_WORKFLOW_INVALID');
    expect(err.message).toContain('team id "t" is ambiguous: it names workflows.a.nodes[0] (line 4) and workflows.b.nodes[0] (line 7)');
  });

  it.each([
    ['x.yaml', '{"formation": "a", "member_count": 1}', 'yaml'],
    ['x.json', 'formation: a', 'json'],
    ['x.conf', '  {"formation": "a", "member_count": 1}', 'json'],
    ['x.conf', 'formation: a\nmember_count: 1\n', 'yaml'],
  ])('detects the format of %s from its extension, else its first character', (file, text, format) => {
    if (format === 'json' && file.endsWith('.json')) {
      expect(textError(file, text).code).toBe('CORE_WORKFLOW_PARSE');
    } else {
      expect(workflowFromText(file, text).format).toBe(format);
    }
  });
});

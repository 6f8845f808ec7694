import * as path from 'node:path';
import type { TeamConfig } from '@autotune/strategies';
// The example workflows are written to match the simulator's scenarios; the simulator is a devDependency of
// core's tests only (core itself does not depend on it).
import { listScenarios, loadScenario } from '@autotune/simulator';
import { loadWorkflowFile } from '../../src/workflow';

const examples = path.resolve(__dirname, '../../../../examples');

const withoutExtra = (c: TeamConfig): TeamConfig => {
  const { extra: _extra, ...rest } = c;
  return rest;
};

describe('example workflow files', () => {
  it.each(listScenarios())('examples/workflows/%s.yaml holds the scenario workflow', async (name) => {
    const scenario = loadScenario(name);
    const file = await loadWorkflowFile(path.join(examples, 'workflows', `${name}.yaml`), scenario.teamId);
    expect(file.teamId).toBe(scenario.teamId);
    expect(withoutExtra(file.config)).toEqual(withoutExtra(scenario.config));
    expect(file.text).toMatch(/^\s*#/m); // commented, for people to read
  });

  it('include one in the nested workflows.<name>.nodes[] shape', async () => {
    const kinds = await Promise.all(
      listScenarios().map(async (name) => (await loadWorkflowFile(path.join(examples, 'workflows', `${name}.yaml`), loadScenario(name).teamId)).kind),
    );
    expect(kinds).toContain('workflow-node');
    expect(kinds).toContain('flat');
  });
});

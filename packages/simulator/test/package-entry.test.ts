import * as pkg from '@autotune/simulator';

describe('@autotune/simulator entry', () => {
  it('exposes its public names, and only those', () => {
    expect(Object.keys(pkg).sort()).toEqual(
      [
        'DEFAULT_MODEL_PARAMETERS', 'DEFAULT_RUN_SPACING_MS', 'SIMULATION_EPOCH_MS', 'SimulatedTeamRunner', 'SimulatorError',
        'createRng', 'deriveSeed', 'enumerateConfigs', 'expectedPerformance', 'findBestConfig', 'generateRuns',
        'generateScenario', 'hashString', 'improvementPercent', 'listScenarios', 'loadScenario', 'modelFromConfig',
        'parseScenario', 'parseTeamModel', 'resolveTeamModel', 'scenarioConfigWith', 'scenarioDirectory', 'simulateRun',
        'validateTeamModel',
      ].sort(),
    );
  });

  it('finds its shipped scenarios through the package entry', () => {
    expect(pkg.listScenarios()).toEqual(expect.arrayContaining(['regression-trap', 'sequential-independent']));
  });
});

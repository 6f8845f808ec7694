/**
 * Relative characteristics of the five formations (the original's table): `speed` (higher is faster),
 * `quality` (0..1) and `coordination` cost (0..1). Used as priors when a team's own runs do not decide.
 */
export const FORMATION_TRAITS: Readonly<Record<string, { speed: number; quality: number; coordination: number }>> = {
  sequential: { speed: 1.0, quality: 0.7, coordination: 0.3 },
  parallel: { speed: 3.0, quality: 0.6, coordination: 0.5 },
  pipeline: { speed: 1.5, quality: 0.8, coordination: 0.4 },
  hierarchical: { speed: 1.3, quality: 0.75, coordination: 0.6 },
  consensus: { speed: 0.5, quality: 0.95, coordination: 0.8 },
};

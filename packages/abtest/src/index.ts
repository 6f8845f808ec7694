export type { TrialContext, TrialRunner } from './trial';

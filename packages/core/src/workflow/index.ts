// The workflow-file API: reading a team config from the user's YAML or JSON and writing changes back.
export { teamConfigFromUser, teamConfigToUser, isTeamConfig } from './team-config';
export type { TeamDialect } from '@autotune/strategies';
export { loadWorkflowFile, workflowFromText, detectFormat } from './workflow-file';
export type { WorkflowFile } from './workflow-file';
export { renderWorkflowUpdate, renderWorkflowChange } from './render-update';
export type { RenderedChange } from './render-update';
export type { CommentNote } from './stale-comments';
export { teamKeyInFile, spellChanges, configInFileShape } from './team-keys';
export type { TeamKeyPlace } from './team-keys';
export { writeFileAtomic } from './atomic-write';
export { locateJsonError } from './json-check';
export { saveWorkflowFile, restoreWorkflowText, writeBackup, AUTOTUNE_DIR } from './save-workflow';
export type { SaveWorkflowOptions, SavedWorkflow } from './save-workflow';
export { creationModesLike, prepareDatabaseFile } from './private-files';
export type { CreationModes } from './private-files';

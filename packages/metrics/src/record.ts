/** The five team formations autotune knows. Files may hold others; they are kept as plain strings. */
export const FORMATIONS = ['sequential', 'parallel', 'pipeline', 'hierarchical', 'consensus'] as const;
/** One of `FORMATIONS`. */
export type Formation = (typeof FORMATIONS)[number];

/** Which limit ended a run, when one did. A limit hit is not the same as an error. */
export type LimitHit = 'timeout' | 'tool_budget' | 'max_turns';

/** One member's part in one team run. */
export interface MemberRecord {
  memberId: string;
  role?: string;
  success: boolean;
  durationSeconds: number;
  /** Epoch milliseconds. */
  startTimeMs?: number;
  /** Epoch milliseconds. */
  endTimeMs?: number;
  toolCalls: number;
  toolsUsed?: string[];
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  error?: string;
  /** Ids of the members whose output this member waited for, when known. */
  waitedFor?: string[];
}

/** One execution of a team: what ran, under which limits, how long it took and whether it worked. */
export interface ExecutionRecord {
  teamId: string;
  /** Unique per run, so concurrent runs of one team are all kept. */
  executionId: string;
  /** Epoch milliseconds. */
  startTimeMs: number;
  /** Epoch milliseconds. */
  endTimeMs: number;
  durationSeconds: number;
  success: boolean;
  error?: string;
  formation?: string;
  memberCount: number;
  toolBudget?: number;
  timeoutSeconds?: number;
  toolCalls: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  limitHit?: LimitHit;
  /** Stable hash of the team config the run used (see `configFingerprint`). */
  configFingerprint?: string;
  labels?: Record<string, string>;
  members: MemberRecord[];
}

/** The core's shared vocabulary (core/domain): tones, lengths, the copywriter's request and draft contract and its errors; used by the models, compliance, the store, the CLI, the Slack bot and the notebooks. */

export type Tone = 'warm' | 'excited' | 'reassuring' | 'concise';
export const TONES: Tone[] = ['warm', 'excited', 'reassuring', 'concise'];
export type LengthBucket = 'short' | 'medium' | 'long';
export const LENGTHS: LengthBucket[] = ['short', 'medium', 'long'];

/** A reviewer's verdict on a draft, as the bot stores it and the strategy bandit learns from it. */
export type Decision = 'approved' | 'rejected' | 'edited';

export interface DraftRequest {
  userId: string;
  itemId?: string;
  /** `auto` (or absent) lets the pipeline choose from the user's sentiment and the bandit. */
  tone?: Tone | 'auto';
  n?: number;
  length?: LengthBucket;
  /** Omit review snippets from explanations. */
  noEvidence?: boolean;
  /** Where the request came from, stored with the drafts. */
  source?: { kind: 'cli' | 'slack'; requestedBy?: string; channel?: string; threadTs?: string };
  /**
   * The id to store the request under (default: a fresh one). Drafting again with
   * the id of a stored request returns the stored drafts and writes nothing, so a
   * caller that retries after a crash never drafts twice.
   */
  requestId?: string;
}

export interface ComplianceFinding {
  term: string;
  category: string;
  /** What was done: replaced, sentence dropped, or the draft withheld. */
  action: 'replaced' | 'dropped' | 'withheld';
  replacement?: string;
}

export interface Draft {
  id: string;
  item_id: string;
  text: string;
  tone: Tone;
  strategy: string;
  score: number;
  compliance: { ok: boolean; findings: ComplianceFinding[] };
  explanation: string;
}

export interface DraftResult {
  /** The user's pseudonym (never the raw id). */
  user: string;
  request_id: string;
  drafts: Draft[];
}

/** Unknown user or item: callers show which one. */
export class UnknownEntityError extends Error {
  constructor(readonly kind: 'user' | 'item', readonly id: string) {
    super(`unknown ${kind} "${id}"`);
    this.name = 'UnknownEntityError';
  }
}

/** A request the pipeline cannot serve as asked (n out of range, unknown tone…): callers show the message. */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** A draft that is no longer pending (already decided or superseded) cannot be regenerated or edited. */
export class DraftStateError extends Error {
  constructor(readonly draftId: string, readonly status: string) {
    super(`draft ${draftId} is ${status}, not pending`);
    this.name = 'DraftStateError';
  }
}

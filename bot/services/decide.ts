/**
 * Reviewer actions on a draft: approve/reject (exactly once, reported to the
 * strategy bandit), regenerate (supersede + new draft in the thread), and edits
 * (compliance-checked new version). Non-reviewers are refused and nothing changes.
 */
import { audit, decideDraft, immediate } from '../../core/store/db';
import { DraftStateError } from '../../core/domain/types';
import { isReviewer, type BotDeps, type SlackClient } from '../deps';
import { getDraft, getRequest, storeEdit, type DraftRow } from '../../core/store/drafts';
import { LIMITS, escapeMrkdwn, slackDate } from '../blocks/text';
import { refreshMessageOf } from './messages';
import { REGENERATION_FAILED, acceptRegenerate, postJob, replyOf } from './request-copy';
import { advanceJob, getJob } from '../outbox';
import { slackErrorCode, tellUser } from './slack';

export interface ActionContext {
  actor: string;
  draftId: string;
  /** Where the click came from, for ephemeral replies. */
  channel?: string;
  /** Root of the thread the drafts message lives in. */
  threadTs?: string;
}

export type ActionOutcome = 'changed' | 'unchanged' | 'refused' | 'missing' | 'failed';

export const REFUSAL = ':lock: Only Copydesk reviewers can decide on drafts. Ask an admin to add you to COPYDESK_REVIEWERS.';
export const SELF_APPROVAL_REFUSAL = ':lock: You asked for these drafts, so another reviewer has to approve them (COPYDESK_ALLOW_SELF_APPROVAL is off).';
export const SAVE_FAILED = ':warning: I could not save your decision just now (the store is busy or failed); nothing changed. Please click again.';
/** Longest edit stored (the modal allows this much; longer submissions are refused server-side too). */
export const MAX_EDIT_CHARS = LIMITS.plainInput;

export function alreadyDecidedText(row: DraftRow): string {
  return `:information_source: This draft was already ${row.status}${row.decided_by ? ` by <@${row.decided_by}>` : ''}${row.decided_at ? ` (${slackDate(row.decided_at)})` : ''}; nothing changed.`;
}

/** Checks the actor and that the draft exists; tells the user when not. */
async function admit(deps: BotDeps, client: SlackClient, ctx: ActionContext, action: string): Promise<DraftRow | 'refused' | 'missing'> {
  if (!isReviewer(deps, ctx.actor)) {
    audit(deps.db, { actor: ctx.actor, action: 'refused', draftId: ctx.draftId, after: { attempted: action } });
    await tellUser(deps, client, ctx.channel, ctx.actor, REFUSAL);
    return 'refused';
  }
  const row = getDraft(deps.db, ctx.draftId);
  if (!row) {
    await tellUser(deps, client, ctx.channel, ctx.actor, `:grey_question: I can't find draft \`${escapeMrkdwn(ctx.draftId)}\`.`);
    return 'missing';
  }
  return row;
}

/**
 * One BEGIN IMMEDIATE transaction: the draft leaves pending (at most once), the
 * decision is audited and the strategy bandit learns it. Busy is retried by
 * `immediate`; any other failure rolls all three back (nothing half-stored).
 */
function decideAndLearn(deps: BotDeps, draftId: string, to: 'approved' | 'rejected', actor: string): boolean {
  return immediate(deps.db, () => {
    if (!decideDraft(deps.db, draftId, to, actor)) return false;
    deps.copywriter.recordDecision(draftId, to);
    audit(deps.db, { actor: 'bot', action: 'bandit_reported', draftId, after: { decision: to } });
    return true;
  });
}

/** Did this reviewer ask for the request this draft belongs to? */
function ownRequest(deps: BotDeps, row: DraftRow, actor: string): boolean {
  return getRequest(deps.db, row.request_id)?.requested_by === actor;
}

/** Approve or reject. The store changes at most once; the message is re-rendered every time (repairs lost updates). */
export async function decide(deps: BotDeps, client: SlackClient, ctx: ActionContext, to: 'approved' | 'rejected'): Promise<ActionOutcome> {
  const row = await admit(deps, client, ctx, to);
  if (typeof row === 'string') return row;
  if (to === 'approved' && !deps.config.allowSelfApproval && row.status === 'pending' && ownRequest(deps, row, ctx.actor)) {
    audit(deps.db, { actor: ctx.actor, action: 'refused_self_approval', draftId: ctx.draftId });
    await tellUser(deps, client, ctx.channel, ctx.actor, SELF_APPROVAL_REFUSAL);
    return 'refused';
  }
  let changed: boolean;
  try {
    changed = decideAndLearn(deps, ctx.draftId, to, ctx.actor);
  } catch (e) {
    deps.logger.error(`storing the decision on ${ctx.draftId} failed: ${(e as Error).message}`);
    await tellUser(deps, client, ctx.channel, ctx.actor, SAVE_FAILED);
    return 'failed';
  }
  if (!changed) {
    audit(deps.db, { actor: ctx.actor, action: 'duplicate_decision', draftId: ctx.draftId, after: { attempted: to } });
    await tellUser(deps, client, ctx.channel, ctx.actor, alreadyDecidedText(getDraft(deps.db, ctx.draftId)!));
  }
  const updated = await refreshMessageOf(deps, client, ctx.draftId);
  if (changed && !updated) await tellUser(deps, client, ctx.channel, ctx.actor, `:floppy_disk: Your decision (${to}) is saved, but I could not update the message. It will show on the next change.`);
  return changed ? 'changed' : 'unchanged';
}

export { REGENERATION_FAILED };

const isStateError = (e: unknown) => e instanceof DraftStateError;

/**
 * Regenerate: the click is journaled first (outbox), then the copywriter
 * supersedes the draft and stores its successor in one transaction (exactly once;
 * a draft decided meanwhile raises DraftStateError), then the new draft is posted
 * in the thread and the original message updated. A crash at any point after the
 * journal entry is finished at the next start.
 */
export async function regenerate(deps: BotDeps, client: SlackClient, ctx: ActionContext): Promise<ActionOutcome> {
  const row = await admit(deps, client, ctx, 'regenerate');
  if (typeof row === 'string') return row;
  const where = { channel: row.channel ?? ctx.channel, threadTs: ctx.threadTs ?? row.message_ts ?? undefined };
  const jobId = row.status === 'pending' && where.channel ? acceptRegenerate(deps, { regenerateOf: ctx.draftId, actor: ctx.actor }, { channel: where.channel, threadTs: where.threadTs }) : undefined;
  let fresh;
  try {
    // the job's error stays the bare status, as before
    if (row.status !== 'pending') throw Object.assign(new DraftStateError(ctx.draftId, row.status), { message: row.status });
    // The copywriter stores the successor and audits it ('regenerated'); the bot only posts it.
    fresh = await deps.copywriter.regenerate(ctx.draftId, ctx.actor);
  } catch (e) {
    const error = (e as Error)?.message ?? String(e);
    if (jobId) advanceJob(deps.db, jobId, 'queued', 'failed', { error });
    if (isStateError(e)) {
      audit(deps.db, { actor: ctx.actor, action: 'duplicate_decision', draftId: ctx.draftId, after: { attempted: 'regenerate' } });
      await tellUser(deps, client, ctx.channel, ctx.actor, alreadyDecidedText(getDraft(deps.db, ctx.draftId)!));
      await refreshMessageOf(deps, client, ctx.draftId);
      return 'unchanged';
    }
    deps.logger.error(`regenerating ${ctx.draftId} failed: ${error}`);
    audit(deps.db, { actor: ctx.actor, action: 'regenerate_failed', draftId: ctx.draftId, after: { error } });
    if (where.channel) await client.chat.postMessage({ channel: where.channel, thread_ts: where.threadTs, text: REGENERATION_FAILED }).catch((err) => deps.logger.error(`chat.postMessage failed: ${slackErrorCode(err)}`));
    return 'failed';
  }
  if (!jobId) {
    await refreshMessageOf(deps, client, ctx.draftId);
    return 'changed';
  }
  advanceJob(deps.db, jobId, 'queued', 'drafted', { draftIds: [fresh.id] });
  const job = getJob(deps.db, jobId)!;
  const out = await postJob(deps, client, job, replyOf(deps, client, job));
  if (out.kind !== 'posted') await refreshMessageOf(deps, client, ctx.draftId);
  return 'changed';
}

/** May this user edit this draft now? Returns the draft, or tells them why not. */
export async function admitEdit(deps: BotDeps, client: SlackClient, ctx: ActionContext): Promise<DraftRow | ActionOutcome> {
  const row = await admit(deps, client, ctx, 'edit');
  if (typeof row === 'string') return row;
  if (row.status !== 'pending') {
    await tellUser(deps, client, ctx.channel, ctx.actor, alreadyDecidedText(row));
    return 'unchanged';
  }
  return row;
}

export type EditResult = { ok: true; version: number } | { ok: false; error: string };

/** Checks an edit (reviewer, 广告法) and stores it as a new version. The error text is shown under the input. */
export async function saveEdit(deps: BotDeps, actor: string, draftId: string, expectedVersion: number, text: string): Promise<EditResult> {
  if (!isReviewer(deps, actor)) {
    audit(deps.db, { actor, action: 'refused', draftId, after: { attempted: 'edit' } });
    return { ok: false, error: 'Only Copydesk reviewers can edit drafts.' };
  }
  const clean = text.trim();
  if (!clean) return { ok: false, error: 'The copy cannot be empty.' };
  if (clean.length > MAX_EDIT_CHARS) return { ok: false, error: `The copy is ${clean.length.toLocaleString('en-US')} characters long; the limit is ${MAX_EDIT_CHARS.toLocaleString('en-US')}.` };
  const check = await deps.copywriter.checkCompliance(clean);
  if (!check.ok || check.findings.length > 0) {
    const terms = [...new Set(check.findings.map((f) => `「${f.term}」(${f.category})`))].join(', ');
    audit(deps.db, { actor, action: 'edit_rejected_compliance', draftId, after: { text: clean, findings: check.findings } });
    const suggestion = check.text && check.text !== clean ? ` Suggested: ${check.text}` : '';
    return { ok: false, error: `Not allowed by 广告法: ${terms || 'forbidden wording'}.${suggestion}`.slice(0, 2000) };
  }
  // The new version, its audit entry and the bandit's 'edited' reward: one transaction.
  const res = immediate(deps.db, () => {
    const r = storeEdit(deps.db, draftId, clean, actor, expectedVersion);
    if (r.ok) {
      deps.copywriter.recordDecision(draftId, 'edited');
      audit(deps.db, { actor: 'bot', action: 'bandit_reported', draftId, after: { decision: 'edited' } });
    }
    return r;
  });
  if (!res.ok) {
    const row = res.draft;
    return { ok: false, error: row && row.status !== 'pending' ? `This draft was ${row.status} meanwhile; your edit was not saved.` : 'Someone else edited this draft meanwhile; close and open the editor again.' };
  }
  return res;
}

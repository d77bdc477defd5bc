/**
 * A copy request from Slack (slash command, mention or DM), journaled so that
 * what the bot promised is kept: `acceptCopy` records the Slack request's key
 * and queues the job in the outbox in one transaction (a retry or a replay is
 * recognised and changes nothing); `runCopyJob` drafts it (on the drafting
 * threads, under the job's id, so drafting again after a crash returns the same
 * drafts) and posts the drafts message (with the job id in its metadata, so a
 * message that reached Slack before a crash is found, not posted again);
 * `recoverCopyJobs` finishes at start whatever a dead process left unfinished.
 * Problems go back to the person who asked through `reply` (ephemeral for the
 * slash command, in the thread for mentions and DMs).
 */
import { randomBytes } from 'crypto';
import { audit } from '../../core/store/db';
import { DraftStateError, UnknownEntityError, type DraftRequest } from '../../core/domain/types';
import type { BotDeps, SlackClient } from '../deps';
import { USAGE, type CopyRequest } from '../parse';
import { acceptJob, advanceJob, claimUnfinished, getJob, isRegenerate, jobsAhead, type NewJob, type OutboxJob, type RegenerateRequest } from '../outbox';
import { getDraft, setMessageLocation, successorOf as successorInDb } from '../../core/store/drafts';
import { escapeMrkdwn } from '../blocks/text';
import { DRAFTS_EVENT_TYPE, postDrafts, refreshMessageOf } from './messages';
import { slackErrorCode } from './slack';

export interface RequestContext {
  requestedBy: string;
  channel: string;
  /** Answer in this thread (mentions, DMs). */
  threadTs?: string;
}

export type Reply = (text: string) => Promise<void>;

export type RequestOutcome =
  | { kind: 'invalid'; error: string }
  | { kind: 'duplicate' }
  | { kind: 'unknown'; entity: 'user' | 'item'; id: string }
  | { kind: 'failed'; error: string }
  | { kind: 'posted'; requestId: string; draftIds: string[]; messageTs: string }
  | { kind: 'not_posted'; requestId: string; error: string };

/** The usage message after a problem; the problem quotes what the user typed, so it is escaped. */
export function usageText(error: string): string {
  return `:warning: ${escapeMrkdwn(error)}\n\n${USAGE}`;
}

export function unknownText(entity: 'user' | 'item', id: string): string {
  return `:mag: I don't know the ${entity} \`${escapeMrkdwn(id)}\`. Check the ${entity} id and try again.`;
}

/** The ack of an accepted request: what will happen, and how many requests are ahead when all drafting slots are busy. */
export function acceptedText(r: CopyRequest, ahead: number, capacity: number): string {
  const what = `${r.n} draft(s)${r.itemId ? ` about \`${escapeMrkdwn(r.itemId)}\`` : ''}`;
  return ahead >= capacity
    ? `:hourglass_flowing_sand: Queued, ${ahead} ahead: I will write ${what} as soon as a drafting slot is free.`
    : `:hourglass_flowing_sand: Writing ${what}…`;
}

export const REGENERATION_FAILED = ':construction: Sorry, I could not write a new draft just now (the copy generator hit an error). The original draft is still up for review.';
export const REGENERATED_TITLE = ':arrows_counterclockwise: Regenerated draft';

export const GENERATION_FAILED = ':construction: Sorry, I could not write drafts just now (the copy generator hit an error). Please try again in a minute; the details are in the bot log.';
export const NO_COMPLIANT_DRAFTS = ':shrug: Every draft I wrote failed the 广告法 check, so none is offered. Try another tone or item.';

export function auditInvalid(deps: BotDeps, actor: string, error: string): void {
  audit(deps.db, { actor, action: 'request_invalid', after: { error } });
}

export interface CopyIntake extends RequestContext {
  /** The inbox key of the Slack request (event id, or the signed body's hash). */
  key: string;
  kind: 'command' | 'event';
  reply: 'ephemeral' | 'thread';
  request: CopyRequest;
}

/** Journals a request (exactly once per key). Undefined when this key was received before. */
export function acceptCopy(deps: BotDeps, intake: CopyIntake): { id: string; ahead: number } | undefined {
  const job: NewJob = { id: `r_${randomBytes(6).toString('hex')}`, key: intake.key, kind: intake.kind, requestedBy: intake.requestedBy, channel: intake.channel, threadTs: intake.threadTs, reply: intake.reply, request: intake.request };
  if (!acceptJob(deps.db, job)) {
    audit(deps.db, { actor: intake.requestedBy, action: 'duplicate_request', after: { key: intake.key.slice(0, 80) } });
    return undefined;
  }
  return { id: job.id, ahead: jobsAhead(deps.db, job.id) };
}

/**
 * Journals a reviewer's regenerate click before the copywriter runs, so a crash
 * after the successor is stored still gets it posted. Returns the job id.
 */
export function acceptRegenerate(deps: BotDeps, r: RegenerateRequest, where: { channel: string; threadTs?: string }): string {
  const id = `g_${randomBytes(6).toString('hex')}`;
  acceptJob(deps.db, { id, key: `regenerate:${id}`, kind: 'action', requestedBy: r.actor, channel: where.channel, threadTs: where.threadTs, reply: 'thread', request: r });
  return id;
}

/** The successor a regenerate stored for this draft, if any. */
const successorOf = (deps: BotDeps, draftId: string): string | undefined => successorInDb(deps.db, draftId);

/** Recovery of a regenerate job left queued: adopt the successor stored before the crash, else regenerate now (exactly once: the core supersedes in one transaction). */
async function regenerateJob(deps: BotDeps, job: OutboxJob, r: RegenerateRequest, reply: Reply): Promise<OutboxJob | RequestOutcome> {
  let fresh = successorOf(deps, r.regenerateOf);
  if (!fresh) {
    if (getDraft(deps.db, r.regenerateOf)?.status !== 'pending') {
      advanceJob(deps.db, job.id, 'queued', 'failed', { error: 'draft no longer pending' });
      return { kind: 'duplicate' };
    }
    try {
      fresh = (await deps.copywriter.regenerate(r.regenerateOf, r.actor)).id;
    } catch (e) {
      const error = (e as Error)?.message ?? String(e);
      if (advanceJob(deps.db, job.id, 'queued', 'failed', { error }) && !(e instanceof DraftStateError)) await reply(REGENERATION_FAILED);
      return { kind: 'failed', error };
    }
  }
  advanceJob(deps.db, job.id, 'queued', 'drafted', { draftIds: [fresh] });
  return getJob(deps.db, job.id)!;
}

async function draftJob(deps: BotDeps, job: OutboxJob, reply: Reply): Promise<OutboxJob | RequestOutcome> {
  if (isRegenerate(job.request)) return regenerateJob(deps, job, job.request, reply);
  const r = job.request;
  const req: DraftRequest = {
    requestId: job.id, userId: r.userId, itemId: r.itemId, tone: r.tone, n: r.n,
    source: { kind: 'slack', requestedBy: job.requestedBy, channel: job.channel, threadTs: job.threadTs },
  };
  let draftIds: string[];
  try {
    draftIds = (await deps.copywriter.draft(req)).drafts.map((d) => d.id);
  } catch (e) {
    if (e instanceof UnknownEntityError) {
      const u = e as UnknownEntityError;
      audit(deps.db, { actor: job.requestedBy, action: 'request_unknown', after: { kind: u.kind, id: u.id } });
      if (advanceJob(deps.db, job.id, 'queued', 'failed', { error: `unknown ${u.kind}` })) await reply(unknownText(u.kind, u.id));
      return { kind: 'unknown', entity: u.kind, id: u.id };
    }
    const error = (e as Error)?.message ?? String(e);
    deps.logger.error(`drafting failed: ${error}`);
    audit(deps.db, { actor: job.requestedBy, action: 'request_failed', after: { request_id: job.id, error } });
    if (advanceJob(deps.db, job.id, 'queued', 'failed', { error })) await reply(GENERATION_FAILED);
    return { kind: 'failed', error };
  }
  advanceJob(deps.db, job.id, 'queued', 'drafted', { draftIds });
  return getJob(deps.db, job.id)!;
}

/** A drafts message this job already posted (found by its metadata), if Slack has it. */
async function findPosted(deps: BotDeps, client: SlackClient, job: OutboxJob): Promise<{ ts: string; channel: string } | undefined> {
  const oldest = String(Math.floor(Date.parse(job.createdAt) / 1000) - 5);
  try {
    const res = job.threadTs
      ? await client.conversations.replies({ channel: job.channel, ts: job.threadTs, oldest, include_all_metadata: true, limit: 200 })
      : await client.conversations.history({ channel: job.channel, oldest, include_all_metadata: true, limit: 200 });
    const messages = (res.messages ?? []) as Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: unknown } }>;
    const m = messages.find((x) => x.metadata?.event_type === DRAFTS_EVENT_TYPE && (x.metadata.event_payload as { job_id?: string } | undefined)?.job_id === job.id);
    return m?.ts ? { ts: m.ts, channel: job.channel } : undefined;
  } catch (e) {
    deps.logger.warn(`looking up an earlier drafts message failed (${slackErrorCode(e)}); posting it`);
    return undefined;
  }
}

/** Posts a drafted job's drafts (or finds them posted before a crash) and records where; a regenerate job also re-renders the original message. */
export async function postJob(deps: BotDeps, client: SlackClient, job: OutboxJob, reply: Reply): Promise<RequestOutcome> {
  const out = await postJobDrafts(deps, client, job, reply);
  if (isRegenerate(job.request) && out.kind === 'posted') await refreshMessageOf(deps, client, job.request.regenerateOf);
  return out;
}

async function postJobDrafts(deps: BotDeps, client: SlackClient, job: OutboxJob, reply: Reply): Promise<RequestOutcome> {
  const draftIds = job.draftIds;
  if (draftIds.length === 0) {
    if (advanceJob(deps.db, job.id, job.state, 'posted', { error: 'no drafts' })) await reply(NO_COMPLIANT_DRAFTS);
    return { kind: 'not_posted', requestId: job.id, error: 'no drafts' };
  }
  if (job.state === 'posting') {
    // A process died while posting: the message may have reached Slack.
    const found = await findPosted(deps, client, job);
    if (found) {
      setMessageLocation(deps.db, draftIds, found.channel, found.ts);
      advanceJob(deps.db, job.id, 'posting', 'posted', { messageTs: found.ts });
      audit(deps.db, { actor: 'bot', action: 'posted', after: { request_id: job.id, channel: found.channel, ts: found.ts, recovered: true } });
      return { kind: 'posted', requestId: job.id, draftIds, messageTs: found.ts };
    }
  } else if (!advanceJob(deps.db, job.id, 'drafted', 'posting')) {
    return { kind: 'duplicate' };
  }
  try {
    const title = isRegenerate(job.request) ? REGENERATED_TITLE : undefined;
    const ts = (await postDrafts(deps, client, draftIds, { channel: job.channel, threadTs: job.threadTs, jobId: job.id, title }))!;
    advanceJob(deps.db, job.id, 'posting', 'posted', { messageTs: ts });
    audit(deps.db, { actor: 'bot', action: 'posted', after: { request_id: job.id, channel: job.channel, ts } });
    return { kind: 'posted', requestId: job.id, draftIds, messageTs: ts };
  } catch (e) {
    const code = slackErrorCode(e);
    deps.logger.error(`posting drafts failed: ${code}`);
    audit(deps.db, { actor: 'bot', action: 'slack_error', after: { call: 'chat.postMessage', error: code, request_id: job.id } });
    advanceJob(deps.db, job.id, 'posting', 'failed', { error: code });
    await reply(code === 'not_in_channel' || code === 'channel_not_found'
      ? ':wave: I can\'t post in this channel yet. Invite me with `/invite @Copydesk` and ask again.'
      : `:warning: The drafts are saved (request \`${job.id}\`) but Slack refused the message (${escapeMrkdwn(code)}). They are listed in my App Home.`);
    return { kind: 'not_posted', requestId: job.id, error: code };
  }
}

/** Takes a job from wherever it stands (queued, drafted, posting) to posted or failed. */
export async function runCopyJob(deps: BotDeps, client: SlackClient, id: string, reply: Reply): Promise<RequestOutcome> {
  let job = getJob(deps.db, id);
  if (!job) return { kind: 'failed', error: `no job ${id}` };
  if (job.state === 'queued') {
    const next = await draftJob(deps, job, reply);
    if (!('state' in next)) return next;
    job = next;
  }
  if (job.state === 'drafted' || job.state === 'posting') return postJob(deps, client, job, reply);
  return job.state === 'posted' && job.messageTs ? { kind: 'posted', requestId: id, draftIds: job.draftIds, messageTs: job.messageTs } : { kind: 'duplicate' };
}

/** How a recovered job answers its requester (the slash command's response URL is not kept). */
export function replyOf(deps: BotDeps, client: SlackClient, job: Pick<OutboxJob, 'reply' | 'channel' | 'requestedBy' | 'threadTs'>): Reply {
  return async (text) => {
    const call = job.reply === 'thread'
      ? client.chat.postMessage({ channel: job.channel, thread_ts: job.threadTs, text })
      : client.chat.postEphemeral({ channel: job.channel, user: job.requestedBy, text });
    await call.then(() => undefined, (e) => deps.logger.error(`reply failed: ${slackErrorCode(e)}`));
  };
}

/** Finishes, one by one, the jobs left unfinished by processes that are gone. Returns their outcomes. */
export async function recoverCopyJobs(deps: BotDeps, client: SlackClient): Promise<RequestOutcome[]> {
  const jobs = claimUnfinished(deps.db);
  if (jobs.length) deps.logger.info(`finishing ${jobs.length} request(s) left unfinished before the restart`);
  const out: RequestOutcome[] = [];
  for (const job of jobs) {
    audit(deps.db, { actor: 'bot', action: 'recovered', after: { request_id: job.id, state: job.state } });
    out.push(await runCopyJob(deps, client, job.id, replyOf(deps, client, job)));
  }
  return out;
}

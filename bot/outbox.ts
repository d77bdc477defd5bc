/**
 * The only writer of the bot's delivery tables (migration in core/store/db.ts):
 *   bot_inbox  — keys of requests already received (Slack event ids; for slash
 *                commands a hash of the signed body), so a retry or a replay
 *                inside Slack's 5-minute window is recognised and changes nothing;
 *   bot_outbox — every copy request the bot acked ("Writing 3 drafts…") and every
 *                regenerate click it accepted, with its
 *                state: queued → drafted → posting → posted (or failed). What is not
 *                finished when a process dies is finished at the next start.
 * A job is claimed by one process (host:pid); another process takes it over only
 * when that process is gone.
 */
import * as os from 'os';
import { immediate, nowIso, type Db } from '../core/store/db';
import type { CopyRequest } from './parse';

export type OutboxState = 'queued' | 'drafted' | 'posting' | 'posted' | 'failed';

/** A reviewer's regenerate click: the draft to supersede and who asked. */
export interface RegenerateRequest { regenerateOf: string; actor: string }

/** What a job asks for: copy for a customer, or a fresh draft in place of one. */
export type OutboxRequest = CopyRequest | RegenerateRequest;

export function isRegenerate(r: OutboxRequest): r is RegenerateRequest {
  return typeof (r as RegenerateRequest).regenerateOf === 'string';
}
export type ReplyKind = 'ephemeral' | 'thread';

export interface OutboxJob {
  id: string;
  requestedBy: string;
  channel: string;
  threadTs?: string;
  reply: ReplyKind;
  request: OutboxRequest;
  state: OutboxState;
  draftIds: string[];
  messageTs?: string;
  error?: string;
  claimedBy?: string;
  attempts: number;
  createdAt: string;
}

interface Row {
  id: string; requested_by: string; channel: string; thread_ts: string | null; reply: ReplyKind; request_json: string; state: OutboxState;
  draft_ids_json: string | null; message_ts: string | null; error: string | null; claimed_by: string | null; attempts: number; created_at: string;
}

/** How long received keys are kept (Slack retries for minutes and the signature window is 5 minutes). */
export const INBOX_KEEP_MS = 24 * 3600_000;

/** This process, as written in claimed_by. */
export const THIS_PROCESS = `${os.hostname()}:${process.pid}`;

function toJob(r: Row): OutboxJob {
  return {
    id: r.id, requestedBy: r.requested_by, channel: r.channel, threadTs: r.thread_ts ?? undefined, reply: r.reply,
    request: JSON.parse(r.request_json) as OutboxRequest, state: r.state, draftIds: r.draft_ids_json ? JSON.parse(r.draft_ids_json) : [],
    messageTs: r.message_ts ?? undefined, error: r.error ?? undefined, claimedBy: r.claimed_by ?? undefined, attempts: r.attempts, createdAt: r.created_at,
  };
}

/** Records a received key; false when it was received before (a retry or a replay). */
export function firstReceipt(db: Db, key: string, kind: string): boolean {
  return db.prepare('INSERT OR IGNORE INTO bot_inbox (key, kind, received_at) VALUES (?, ?, ?)').run(key, kind, nowIso()).changes === 1;
}

export interface NewJob {
  id: string;
  /** The inbox key of the Slack request that asked for it. */
  key: string;
  kind: string;
  requestedBy: string;
  channel: string;
  threadTs?: string;
  reply: ReplyKind;
  request: OutboxRequest;
}

/**
 * In one transaction: records the request's key and queues the job, claimed by this
 * process. Returns false (and writes nothing) when the key was received before.
 */
export function acceptJob(db: Db, job: NewJob): boolean {
  return immediate(db, () => {
    if (!firstReceipt(db, job.key, job.kind)) return false;
    const at = nowIso();
    db.prepare(`INSERT INTO bot_outbox (id, requested_by, channel, thread_ts, reply, request_json, state, claimed_by, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`).run(job.id, job.requestedBy, job.channel, job.threadTs ?? null, job.reply, JSON.stringify(job.request), THIS_PROCESS, at, at);
    return true;
  });
}

export function getJob(db: Db, id: string): OutboxJob | undefined {
  const r = db.prepare('SELECT * FROM bot_outbox WHERE id = ?').get(id) as Row | undefined;
  return r ? toJob(r) : undefined;
}

/** Moves a job on (only from the state given, so two processes never both advance it). Returns true when it moved. */
export function advanceJob(db: Db, id: string, from: OutboxState, to: OutboxState, fields: { draftIds?: string[]; messageTs?: string; error?: string } = {}): boolean {
  return db.prepare(`UPDATE bot_outbox SET state = ?, updated_at = ?,
      draft_ids_json = COALESCE(?, draft_ids_json), message_ts = COALESCE(?, message_ts), error = COALESCE(?, error), attempts = attempts + (? = 'posting')
    WHERE id = ? AND state = ?`).run(to, nowIso(), fields.draftIds ? JSON.stringify(fields.draftIds) : null, fields.messageTs ?? null, fields.error ?? null, to, id, from).changes === 1;
}

/** Is the process named in claimed_by gone? (Only decidable on this host; elsewhere it counts as alive.) */
export function claimantGone(claimedBy: string | undefined): boolean {
  if (!claimedBy) return true;
  const [host, pidText] = claimedBy.split(':');
  if (host !== os.hostname()) return false;
  const pid = Number(pidText);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Unfinished jobs this process should finish: those whose claimant is gone are
 * claimed for this process (atomically; oldest first).
 */
export function claimUnfinished(db: Db): OutboxJob[] {
  return immediate(db, () => {
    const rows = db.prepare("SELECT * FROM bot_outbox WHERE state IN ('queued','drafted','posting') ORDER BY created_at, rowid").all() as Row[];
    const mine: OutboxJob[] = [];
    const claim = db.prepare('UPDATE bot_outbox SET claimed_by = ?, updated_at = ? WHERE id = ? AND claimed_by IS ?');
    for (const r of rows) {
      if (!claimantGone(r.claimed_by ?? undefined)) continue;
      if (claim.run(THIS_PROCESS, nowIso(), r.id, r.claimed_by).changes === 1) mine.push(toJob({ ...r, claimed_by: THIS_PROCESS }));
    }
    return mine;
  });
}

/** Forgets received keys older than INBOX_KEEP_MS. */
export function pruneInbox(db: Db, now = Date.now()): number {
  return db.prepare('DELETE FROM bot_inbox WHERE received_at < ?').run(new Date(now - INBOX_KEEP_MS).toISOString()).changes;
}

/** Requests queued (waiting or being drafted) other than this one: the "N ahead" of the ack. */
export function jobsAhead(db: Db, id: string): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM bot_outbox WHERE state = 'queued' AND id != ? AND created_at >= ?").get(id, new Date(Date.now() - 3600_000).toISOString()) as { n: number }).n;
}

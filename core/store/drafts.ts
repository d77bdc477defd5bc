/**
 * The queries on the requests and drafts tables that the apps (the bot, the CLI's export) need,
 * on core/store/db.ts (the one SQLite file). The copywriter pipeline alone inserts requests and
 * drafts (one insert per draft, one 'drafted' audit row per request); state changes of a draft
 * go through `decideDraft` (exactly once) or the conditional updates here; each writes to the
 * audit log.
 */
import { audit, nowIso, type Db, type DraftStatus } from './db';
import type { ComplianceFinding, Draft, Tone } from '../domain/types';

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

/**
 * What a viewer may see on their App Home: their own requests, and, for a reviewer,
 * requests made in channels (never other people's DMs with the bot, whose channel ids start with D).
 */
const VISIBLE = `(r.requested_by = @viewer OR (@reviewer = 1 AND r.channel IS NOT NULL AND r.channel NOT LIKE 'D%'))`;

export function recentRequests(db: Db, viewer: string, reviewer: boolean, limit = 8): RecentRequest[] {
  return db.prepare(`SELECT r.*,
      (SELECT d.user_pseudonym FROM drafts d WHERE d.request_id = r.id LIMIT 1) AS user_pseudonym,
      (SELECT COUNT(*) FROM drafts d WHERE d.request_id = r.id) AS drafts,
      (SELECT COUNT(*) FROM drafts d WHERE d.request_id = r.id AND d.status = 'approved') AS approved,
      (SELECT COUNT(*) FROM drafts d WHERE d.request_id = r.id AND d.status = 'pending') AS pending
    FROM requests r WHERE r.source = 'slack' AND ${VISIBLE} ORDER BY r.created_at DESC, r.rowid DESC LIMIT @limit`).all({ viewer, reviewer: reviewer ? 1 : 0, limit }) as RecentRequest[];
}

/** Pending drafts a reviewer may act on (requests in channels, or their own). */
export function pendingDrafts(db: Db, viewer: string, limit = 10): DraftRow[] {
  return db.prepare(`SELECT d.* FROM drafts d JOIN requests r ON r.id = d.request_id
    WHERE d.status = 'pending' AND ${VISIBLE} ORDER BY d.created_at DESC, d.rowid DESC LIMIT @limit`).all({ viewer, reviewer: 1, limit }) as DraftRow[];
}

export function countPending(db: Db, viewer: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM drafts d JOIN requests r ON r.id = d.request_id WHERE d.status = 'pending' AND ${VISIBLE}`).get({ viewer, reviewer: 1 }) as { n: number }).n;
}

export interface ApprovalRate { key: string; approved: number; rejected: number; rate: number }

/** Approved / (approved + rejected) per tone or strategy, over decisions since `sinceIso`. */
export function approvalRates(db: Db, by: 'tone' | 'strategy', sinceIso: string): ApprovalRate[] {
  const rows = db.prepare(`SELECT ${by} AS key, SUM(status = 'approved') AS approved, SUM(status = 'rejected') AS rejected
    FROM drafts WHERE status IN ('approved', 'rejected') AND decided_at >= ? GROUP BY ${by} ORDER BY ${by}`).all(sinceIso) as Array<{ key: string; approved: number; rejected: number }>;
  return rows.map((r) => ({ ...r, rate: r.approved / Math.max(1, r.approved + r.rejected) }));
}

// ---------- export (`copydesk export`) ----------

export const EXPORT_STATUSES: DraftStatus[] = ['approved', 'rejected', 'pending', 'superseded'];
export const EXPORT_COLUMNS = ['draft_id', 'request_id', 'item_id', 'user_pseudonym', 'text', 'tone', 'strategy', 'version', 'edited', 'reviewer', 'decided_at', 'created_at'] as const;

export type ExportRow = { [K in (typeof EXPORT_COLUMNS)[number]]: string | number | boolean | null };

/** Which drafts an export takes. */
export interface ExportQuery {
  status: DraftStatus;
  /** ISO time; rows decided (or, for pending drafts, created) at or after it. */
  since?: string;
}

/** Drafts in one status since a time, as export rows (users as pseudonyms only). */
export function exportRows(db: Db, q: ExportQuery): ExportRow[] {
  const rows = db.prepare(`SELECT id AS draft_id, request_id, item_id, user_pseudonym, text, tone, strategy, version, edited,
      decided_by AS reviewer, decided_at, created_at
    FROM drafts WHERE status = ? AND COALESCE(decided_at, created_at) >= ?
    ORDER BY COALESCE(decided_at, created_at), rowid`).all(q.status, q.since ?? '') as ExportRow[];
  return rows.map((r) => ({ ...r, edited: !!r.edited }));
}

/** The successor a regenerate stored for this draft, if any. */
export function successorOf(db: Db, draftId: string): string | undefined {
  return (db.prepare('SELECT id FROM drafts WHERE supersedes = ? ORDER BY rowid LIMIT 1').get(draftId) as { id: string } | undefined)?.id;
}

// ---------- inserts (the copywriter pipeline and the campaign batches run them) ----------

export const INSERT_DRAFT_SQL = `INSERT INTO drafts (id, request_id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score, compliance_json, explanation, status, version, supersedes, channel, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)`;
export const INSERT_DRAFT_VERSION_SQL = 'INSERT INTO draft_versions (draft_id, version, text, edited_by, created_at) VALUES (?, 1, ?, NULL, ?)';

export function insertDraftParams(d: Draft, o: { requestId: string | null; userId: string; pseudonym: string; segment: string; supersedes: string | null; channel?: string | null; at: string }): unknown[] {
  return [d.id, o.requestId, o.userId, o.pseudonym, d.item_id, d.text, d.tone, d.strategy, o.segment, d.score, JSON.stringify(d.compliance), d.explanation, o.supersedes, o.channel ?? null, o.at];
}

/** A stored draft row as the copywriter's Draft. */
export function rowToDraft(r: DraftRow): Draft {
  return { id: r.id, item_id: r.item_id, text: r.text, tone: r.tone as Tone, strategy: r.strategy, score: r.score, compliance: JSON.parse(r.compliance_json), explanation: r.explanation };
}

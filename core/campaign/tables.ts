/**
 * The campaign tables (campaigns, campaign_members, campaign_pools, campaign_drafts,
 * campaign_failures, campaign_reviews): their one writer, over the Sql port, so the embedded
 * SQLite store and PostgreSQL run the same statements. Every write is idempotent: a member,
 * pool or draft is keyed by campaign × user (× pool key) and inserted ON CONFLICT DO NOTHING;
 * a campaign draft and its drafts row are written in one transaction, so a redelivered job
 * or a second worker changes nothing.
 */
import { randomBytes } from 'crypto';
import type { Sql } from './sql';
import type { Draft } from '../domain/types';
import { INSERT_DRAFT_SQL, INSERT_DRAFT_VERSION_SQL, insertDraftParams } from '../copywriter/pipeline';
import type { ArmState } from '../copywriter/strategy';
import { nowIso } from '../store/db';

export type CampaignStatus = 'drafting' | 'review' | 'approved' | 'rejected';

export interface CampaignRow {
  id: string;
  items: string[];
  segment: string;
  strategy: { tone?: string; length?: string };
  holdout: number;
  limit: number | null;
  storeDir: string;
  status: CampaignStatus;
  generation: number;
  /** Users who get a message (the segment minus the holdout group). */
  users: number;
  holdoutUsers: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Member {
  userId: string;
  holdout: boolean;
}

export interface PoolRow {
  key: string;
  strategy: string;
  bodies: Array<{ text: string; score: number }>;
  seconds: number;
}

export interface CampaignDraftWrite {
  userId: string;
  pseudonym: string;
  segment: string;
  draft: Draft;
}

export interface CampaignCounts {
  users: number;
  holdout: number;
  drafted: number;
  failed: number;
  pending: number;
  approved: number;
  rejected: number;
  pending_review: number;
  superseded: number;
}

interface CampaignDbRow {
  id: string; items_json: string; segment: string; strategy_json: string; holdout: number; limit_n: number | null; store_dir: string;
  status: CampaignStatus; generation: number; users: number; holdout_users: number; created_by: string | null; created_at: string; updated_at: string;
}

function toRow(r: CampaignDbRow): CampaignRow {
  return {
    id: r.id, items: JSON.parse(r.items_json), segment: r.segment, strategy: JSON.parse(r.strategy_json), holdout: Number(r.holdout), limit: r.limit_n === null ? null : Number(r.limit_n),
    storeDir: r.store_dir, status: r.status, generation: Number(r.generation), users: Number(r.users), holdoutUsers: Number(r.holdout_users), createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export function newCampaignId(): string {
  return `c_${randomBytes(6).toString('hex')}`;
}

/** An id standing for a holdout user in outcome files (they get no draft, but their conversions count). */
export function controlId(campaignId: string, userId: string, holdout: boolean): string {
  const h = require('crypto').createHash('sha256').update(`control\u0000${campaignId}\u0000${userId}`).digest('hex').slice(0, 16);
  return `${holdout ? 'h' : 'm'}_${h}`;
}

const CHUNK = 400;

export class CampaignTables {
  constructor(readonly sql: Sql) {}

  /** The campaign and its members, in one transaction (never a half-written campaign). */
  async create(c: Omit<CampaignRow, 'createdAt' | 'updatedAt' | 'generation' | 'status'>, members: Member[]): Promise<CampaignRow> {
    const at = nowIso();
    await this.sql.tx(async (q) => {
      await q.run(
        `INSERT INTO campaigns (id, items_json, segment, strategy_json, holdout, limit_n, store_dir, status, generation, users, holdout_users, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'drafting', 1, ?, ?, ?, ?, ?)`,
        [c.id, JSON.stringify(c.items), c.segment, JSON.stringify(c.strategy), c.holdout, c.limit, c.storeDir, c.users, c.holdoutUsers, c.createdBy, at, at],
      );
      for (let i = 0; i < members.length; i += CHUNK) {
        const part = members.slice(i, i + CHUNK);
        const values = part.map(() => '(?, ?, ?, ?, ?)').join(', ');
        const params = part.flatMap((m, k) => [c.id, m.userId, i + k, m.holdout ? 1 : 0, controlId(c.id, m.userId, m.holdout)]);
        await q.run(`INSERT INTO campaign_members (campaign_id, user_id, position, holdout, control_id) VALUES ${values} ON CONFLICT DO NOTHING`, params);
      }
    });
    return (await this.get(c.id))!;
  }

  async get(id: string): Promise<CampaignRow | undefined> {
    const rows = await this.sql.all<CampaignDbRow>('SELECT * FROM campaigns WHERE id = ?', [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async list(limit = 20): Promise<CampaignRow[]> {
    return (await this.sql.all<CampaignDbRow>('SELECT * FROM campaigns ORDER BY created_at DESC, id LIMIT ?', [limit])).map(toRow);
  }

  /** Non-holdout members without a draft, in segment order. */
  async pendingUsers(id: string): Promise<string[]> {
    const rows = await this.sql.all<{ user_id: string }>(
      `SELECT m.user_id FROM campaign_members m LEFT JOIN campaign_drafts d ON d.campaign_id = m.campaign_id AND d.user_id = m.user_id
       WHERE m.campaign_id = ? AND m.holdout = 0 AND d.user_id IS NULL ORDER BY m.position`, [id]);
    return rows.map((r) => r.user_id);
  }

  /** Of these users, the campaign's non-holdout members still without a draft (holdout users and strangers never get one). */
  async todoAmong(id: string, users: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < users.length; i += CHUNK) {
      const part = users.slice(i, i + CHUNK);
      const rows = await this.sql.all<{ user_id: string }>(
        `SELECT m.user_id AS user_id FROM campaign_members m LEFT JOIN campaign_drafts d ON d.campaign_id = m.campaign_id AND d.user_id = m.user_id
         WHERE m.campaign_id = ? AND m.holdout = 0 AND d.user_id IS NULL AND m.user_id IN (${part.map(() => '?').join(', ')})`, [id, ...part]);
      for (const r of rows) out.add(r.user_id);
    }
    return out;
  }

  async pool(id: string, key: string, q: Sql = this.sql): Promise<PoolRow | undefined> {
    const rows = await q.all<{ pool_key: string; strategy: string; bodies_json: string; seconds: number }>('SELECT pool_key, strategy, bodies_json, seconds FROM campaign_pools WHERE campaign_id = ? AND pool_key = ?', [id, key]);
    return rows[0] && { key: rows[0].pool_key, strategy: rows[0].strategy, bodies: JSON.parse(rows[0].bodies_json), seconds: Number(rows[0].seconds) };
  }

  /** Stores a pool unless one is there already; returns the stored one (the first writer's). */
  async putPool(id: string, p: PoolRow, q: Sql = this.sql): Promise<PoolRow> {
    await q.run('INSERT INTO campaign_pools (campaign_id, pool_key, strategy, bodies_json, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [id, p.key, p.strategy, JSON.stringify(p.bodies), p.seconds, nowIso()]);
    return (await this.pool(id, p.key, q))!;
  }

  /**
   * The stored pool, or `make()`'s, stored: under the database's lock on campaign × pool key, so
   * concurrent workers generate each pool once (the others wait and read it).
   */
  async poolOrMake(id: string, key: string, make: () => Promise<PoolRow>): Promise<{ pool: PoolRow; made: boolean }> {
    const stored = await this.pool(id, key);
    if (stored) return { pool: stored, made: false };
    return this.sql.withLock(`pool|${id}|${key}`, async (q) => {
      const now = await this.pool(id, key, q);
      if (now) return { pool: now, made: false };
      return { pool: await this.putPool(id, await make(), q), made: true };
    });
  }

  async armStates(segment: string): Promise<ArmState[]> {
    return (await this.sql.all<ArmState>('SELECT strategy, alpha, beta FROM bandit_arms WHERE segment = ? ORDER BY strategy', [segment])).map((a) => ({ strategy: a.strategy, alpha: Number(a.alpha), beta: Number(a.beta) }));
  }

  /**
   * Writes the drafts of a batch in one transaction: per user, the campaign × user key first
   * (ON CONFLICT DO NOTHING); only when that row is new are the drafts row and its version
   * written. Returns how many were new.
   */
  async saveDrafts(id: string, writes: CampaignDraftWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    return this.sql.tx(async (q) => {
      let added = 0;
      const at = nowIso();
      for (const w of writes) {
        const fresh = await q.run('INSERT INTO campaign_drafts (campaign_id, user_id, draft_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [id, w.userId, w.draft.id, at]);
        if (fresh !== 1) continue;
        await q.run(INSERT_DRAFT_SQL, insertDraftParams(w.draft, { requestId: null, userId: w.userId, pseudonym: w.pseudonym, segment: w.segment, supersedes: null, channel: null, at }));
        await q.run(INSERT_DRAFT_VERSION_SQL, [w.draft.id, w.draft.text, at]);
        await q.run('DELETE FROM campaign_failures WHERE campaign_id = ? AND user_id = ?', [id, w.userId]);
        added++;
      }
      if (added > 0) await q.run('UPDATE campaigns SET updated_at = ? WHERE id = ?', [at, id]);
      return added;
    });
  }

  async recordFailures(id: string, failures: Array<{ userId: string; error: string }>): Promise<void> {
    if (failures.length === 0) return;
    await this.sql.tx(async (q) => {
      for (const f of failures) {
        await q.run(
          `INSERT INTO campaign_failures (campaign_id, user_id, error, attempts, updated_at) VALUES (?, ?, ?, 1, ?)
           ON CONFLICT (campaign_id, user_id) DO UPDATE SET error = excluded.error, attempts = campaign_failures.attempts + 1, updated_at = excluded.updated_at`,
          [id, f.userId, f.error.slice(0, 300), nowIso()],
        );
      }
    });
  }

  async counts(id: string): Promise<CampaignCounts> {
    const [m] = await this.sql.all<{ users: number; holdout: number }>('SELECT SUM(CASE WHEN holdout = 0 THEN 1 ELSE 0 END) AS users, SUM(holdout) AS holdout FROM campaign_members WHERE campaign_id = ?', [id]);
    const byStatus = await this.sql.all<{ status: string; n: number }>('SELECT d.status AS status, COUNT(*) AS n FROM campaign_drafts c JOIN drafts d ON d.id = c.draft_id WHERE c.campaign_id = ? GROUP BY d.status', [id]);
    const [f] = await this.sql.all<{ n: number }>(
      'SELECT COUNT(*) AS n FROM campaign_failures f LEFT JOIN campaign_drafts c ON c.campaign_id = f.campaign_id AND c.user_id = f.user_id WHERE f.campaign_id = ? AND c.user_id IS NULL', [id]);
    const st = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    const users = Number(m?.users ?? 0);
    const drafted = byStatus.reduce((a, r) => a + Number(r.n), 0);
    const failed = Number(f?.n ?? 0);
    return { users, holdout: Number(m?.holdout ?? 0), drafted, failed, pending: Math.max(0, users - drafted - failed), approved: st('approved'), rejected: st('rejected'), pending_review: st('pending'), superseded: st('superseded') };
  }

  async setStatus(id: string, status: CampaignStatus): Promise<void> {
    await this.sql.run('UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?', [status, nowIso(), id]);
  }

  /** One row per drafted user, in segment order. */
  async exportRows(id: string): Promise<Array<{ user: string; item_id: string; text: string; draft_id: string; status: string; tone: string; strategy: string; explanation: string }>> {
    return this.sql.all(
      `SELECT d.user_pseudonym AS "user", d.item_id AS item_id, d.text AS text, d.id AS draft_id, d.status AS status, d.tone AS tone, d.strategy AS strategy, d.explanation AS explanation
       FROM campaign_members m JOIN campaign_drafts c ON c.campaign_id = m.campaign_id AND c.user_id = m.user_id JOIN drafts d ON d.id = c.draft_id
       WHERE m.campaign_id = ? ORDER BY m.position`, [id]);
  }

  /** Failures not since drafted (for status). */
  async failures(id: string, limit = 5): Promise<Array<{ user_id: string; error: string; attempts: number }>> {
    return this.sql.all(
      `SELECT f.user_id AS user_id, f.error AS error, f.attempts AS attempts FROM campaign_failures f LEFT JOIN campaign_drafts c ON c.campaign_id = f.campaign_id AND c.user_id = f.user_id
       WHERE f.campaign_id = ? AND c.user_id IS NULL ORDER BY f.user_id LIMIT ?`, [id, limit]);
  }

  /** The campaign's drafts still pending review (draft id, user, text), in segment order. */
  async pendingReview(id: string): Promise<Array<{ draft_id: string; user_id: string; user: string; text: string; explanation: string }>> {
    return this.sql.all(
      `SELECT d.id AS draft_id, d.user_id AS user_id, d.user_pseudonym AS "user", d.text AS text, d.explanation AS explanation FROM campaign_members m JOIN campaign_drafts c ON c.campaign_id = m.campaign_id AND c.user_id = m.user_id
       JOIN drafts d ON d.id = c.draft_id WHERE m.campaign_id = ? AND d.status = 'pending' ORDER BY m.position`, [id]);
  }

  /**
   * A reviewer's decision on a sample. Approved: every pending draft of the campaign becomes
   * approved. Rejected: the sample's drafts are rejected, the other pending ones superseded,
   * their campaign × user rows cleared and the generation bumped, so `resume` drafts them anew
   * (new pools). One transaction; the review is recorded with its reasons.
   * Returns the draft ids whose status changed.
   */
  async decide(id: string, decision: 'approved' | 'rejected', sample: string[], actor: string, reasons?: string): Promise<{ changed: string[] }> {
    return this.sql.tx(async (q) => {
      const at = nowIso();
      const pending = await q.all<{ draft_id: string; user_id: string }>(
        `SELECT c.draft_id AS draft_id, c.user_id AS user_id FROM campaign_drafts c JOIN drafts d ON d.id = c.draft_id WHERE c.campaign_id = ? AND d.status = 'pending'`, [id]);
      const inSample = new Set(sample);
      const changed: string[] = [];
      for (const p of pending) {
        const to = decision === 'approved' ? 'approved' : inSample.has(p.draft_id) ? 'rejected' : 'superseded';
        const n = await q.run("UPDATE drafts SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'", [to, actor, at, p.draft_id]);
        if (n === 1) changed.push(p.draft_id);
        if (decision === 'rejected') await q.run('DELETE FROM campaign_drafts WHERE campaign_id = ? AND user_id = ?', [id, p.user_id]);
      }
      await q.run('INSERT INTO campaign_reviews (id, campaign_id, decision, sample_json, reasons, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)', [`rv_${randomBytes(6).toString('hex')}`, id, decision, JSON.stringify(sample), reasons ?? null, actor, at]);
      if (decision === 'approved') await q.run("UPDATE campaigns SET status = 'approved', updated_at = ? WHERE id = ?", [at, id]);
      else await q.run("UPDATE campaigns SET status = 'drafting', generation = generation + 1, updated_at = ? WHERE id = ?", [at, id]);
      return { changed };
    });
  }

  async reviews(id: string): Promise<Array<{ decision: string; reasons: string | null; actor: string; at: string; sample: string[] }>> {
    const rows = await this.sql.all<{ decision: string; reasons: string | null; actor: string; at: string; sample_json: string }>('SELECT decision, reasons, actor, at, sample_json FROM campaign_reviews WHERE campaign_id = ? ORDER BY at', [id]);
    return rows.map((r) => ({ decision: r.decision, reasons: r.reasons, actor: r.actor, at: r.at, sample: JSON.parse(r.sample_json) }));
  }

  /** Per member: holdout flag, whether they clicked / converted (outcomes by draft id or control id). */
  async outcomeStats(id: string): Promise<Array<{ holdout: number; users: number; clicked: number; converted: number }>> {
    return this.sql.all(
      `SELECT m.holdout AS holdout, COUNT(*) AS users,
         SUM(CASE WHEN EXISTS (SELECT 1 FROM outcomes o WHERE o.event = 'click' AND (o.draft_id = c.draft_id OR o.draft_id = m.control_id)) THEN 1 ELSE 0 END) AS clicked,
         SUM(CASE WHEN EXISTS (SELECT 1 FROM outcomes o WHERE o.event = 'conversion' AND (o.draft_id = c.draft_id OR o.draft_id = m.control_id)) THEN 1 ELSE 0 END) AS converted
       FROM campaign_members m LEFT JOIN campaign_drafts c ON c.campaign_id = m.campaign_id AND c.user_id = m.user_id
       WHERE m.campaign_id = ? GROUP BY m.holdout ORDER BY m.holdout`, [id]);
  }

  /** Holdout members' control ids (for outcome files). */
  async controlIds(id: string): Promise<Array<{ user_id: string; control_id: string; holdout: number }>> {
    return this.sql.all('SELECT user_id, control_id, holdout FROM campaign_members WHERE campaign_id = ? ORDER BY position', [id]);
  }
}

/**
 * What a campaign shows: its status (counts per state), a review sample, and the lift report:
 * the conversion (and click) rate of the users who got a message against the holdout group,
 * from imported outcomes (`outcomes import`: a draft id for messaged users, the member's
 * control id for holdout users), with a 95 % normal-approximation confidence interval on
 * the difference of the two rates.
 */
import type { CampaignTables, CampaignRow, CampaignCounts } from './tables';
import { unitHash } from './spec';

export interface CampaignStatusReport extends CampaignCounts {
  campaign_id: string;
  status: CampaignRow['status'];
  items: string[];
  segment: string;
  holdout_share: number;
  generation: number;
  created_at: string;
  updated_at: string;
  failures: Array<{ user_id: string; error: string; attempts: number }>;
}

export async function campaignStatus(tables: CampaignTables, id: string): Promise<CampaignStatusReport | undefined> {
  const c = await tables.get(id);
  if (!c) return undefined;
  const counts = await tables.counts(id);
  return {
    campaign_id: c.id, ...counts, status: c.status, items: c.items, segment: c.segment, holdout_share: c.holdout, generation: c.generation,
    created_at: c.createdAt, updated_at: c.updatedAt, failures: await tables.failures(id),
  };
}

/** A deterministic sample of the campaign's drafts pending review (the same for every reviewer until decided). */
export async function reviewSample(tables: CampaignTables, id: string, n: number): Promise<Array<{ draft_id: string; user: string; text: string; explanation: string }>> {
  const rows = await tables.pendingReview(id);
  return rows
    .map((r) => ({ r, k: unitHash(`sample\u0000${id}\u0000${r.draft_id}`) }))
    .sort((a, b) => a.k - b.k)
    .slice(0, n)
    .map(({ r }) => ({ draft_id: r.draft_id, user: r.user, text: r.text, explanation: r.explanation }));
}

export interface RateDiff {
  treated_rate: number;
  holdout_rate: number;
  /** treated − holdout, in rate points */
  lift: number;
  ci95: [number, number];
  /** treated / holdout − 1 (null when the holdout rate is 0) */
  relative_lift: number | null;
}

export function rateDiff(x1: number, n1: number, x0: number, n0: number): RateDiff {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p0 = n0 > 0 ? x0 / n0 : 0;
  const se = Math.sqrt((n1 > 0 ? (p1 * (1 - p1)) / n1 : 0) + (n0 > 0 ? (p0 * (1 - p0)) / n0 : 0));
  const d = p1 - p0;
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return { treated_rate: r(p1), holdout_rate: r(p0), lift: r(d), ci95: [r(d - 1.96 * se), r(d + 1.96 * se)], relative_lift: p0 > 0 ? r(p1 / p0 - 1) : null };
}

export interface LiftReport {
  campaign_id: string;
  treated_users: number;
  holdout_users: number;
  conversions: { treated: number; holdout: number } & RateDiff;
  clicks: { treated: number; holdout: number } & RateDiff;
  note?: string;
}

export async function liftReport(tables: CampaignTables, id: string): Promise<LiftReport | undefined> {
  const c = await tables.get(id);
  if (!c) return undefined;
  const rows = await tables.outcomeStats(id);
  const t = rows.find((r) => Number(r.holdout) === 0) ?? { users: 0, clicked: 0, converted: 0 };
  const h = rows.find((r) => Number(r.holdout) === 1) ?? { users: 0, clicked: 0, converted: 0 };
  const n1 = Number(t.users), n0 = Number(h.users);
  const conv = { treated: Number(t.converted), holdout: Number(h.converted), ...rateDiff(Number(t.converted), n1, Number(h.converted), n0) };
  const clicks = { treated: Number(t.clicked), holdout: Number(h.clicked), ...rateDiff(Number(t.clicked), n1, Number(h.clicked), n0) };
  const note = n0 === 0 ? 'no holdout group (run with --holdout > 0 to measure lift)' : conv.treated + conv.holdout === 0 ? 'no conversions imported yet (copydesk outcomes import)' : undefined;
  return { campaign_id: id, treated_users: n1, holdout_users: n0, conversions: conv, clicks, ...(note ? { note } : {}) };
}

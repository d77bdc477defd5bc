/** Approved copy, for export (`copydesk export` in the bot's area uses it or its own query). Users appear as pseudonyms only. */
import { Db } from '../store/db';

export interface ApprovedCopy {
  draft_id: string;
  item_id: string;
  user: string;
  text: string;
  tone: string;
  strategy: string;
  version: number;
  edited: boolean;
  reviewer: string | null;
  approved_at: string | null;
}

export function approvedCopy(db: Db, opts: { since?: string } = {}): ApprovedCopy[] {
  const rows = db.prepare(
    `SELECT id, item_id, user_pseudonym, text, tone, strategy, version, edited, decided_by, decided_at FROM drafts
     WHERE status = 'approved' AND (? IS NULL OR decided_at >= ?) ORDER BY decided_at`,
  ).all(opts.since ?? null, opts.since ?? null) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    draft_id: r.id as string, item_id: r.item_id as string, user: r.user_pseudonym as string, text: r.text as string,
    tone: r.tone as string, strategy: r.strategy as string, version: r.version as number, edited: r.edited === 1,
    reviewer: (r.decided_by as string) ?? null, approved_at: (r.decided_at as string) ?? null,
  }));
}

/**
 * Campaign outcomes: `draft_id,event,timestamp` CSV (event: impression | click |
 * conversion; timestamp: ISO 8601 or Unix seconds). The whole file is validated
 * first (unknown drafts, bad events and timestamps are refused with file, line and
 * field), then imported in one transaction. Importing the same rows again changes
 * nothing: a row is (draft_id, event, timestamp), and each draft's reward is
 * recomputed from all its rows, not added to. The writing is bandit-store.ts's (the same steps
 * on SQLite and, in the distributed deployment, on PostgreSQL: core/campaign/outcomes-sql.ts).
 */
import { Db, immediate } from '../store/db';
import { LoadOptions, SkippedRow } from '../data/errors';
import { fields, readTable } from '../data/table';
import { runSync, writeOutcomesSteps, ImportReport } from './bandit-store';

export const OUTCOME_EVENTS = ['impression', 'click', 'conversion'] as const;
export type OutcomeEvent = (typeof OUTCOME_EVENTS)[number];

export interface OutcomeRow {
  draft_id: string;
  event: OutcomeEvent;
  timestamp: string;
}

export function parseTimestamp(raw: string): string {
  const t = raw.trim();
  // Unix seconds, or a calendar-checked ISO time (2026-02-30 refused), both within the data's year range.
  if (/^\d{9,10}(\.\d+)?$/.test(t)) return new Date(fields.unixSeconds(t.split('.')[0]) * 1000 + Number(`0.${t.split('.')[1] ?? 0}`) * 1000).toISOString();
  if (/^\d{4}-/.test(t)) return fields.isoTime(t);
  throw new Error(`"${t.slice(0, 40)}" is not a timestamp (ISO 8601 like 2026-11-27T10:00:00Z, or Unix seconds)`);
}

export type { ImportReport } from './bandit-store';

/**
 * Reads and validates an outcomes file: every row's draft_id must be `known` (a draft, or a
 * holdout member's control id), event one of OUTCOME_EVENTS, timestamp a real time. A bad row
 * is a DataError naming file, line and field (or, with skipBad, a skipped row).
 */
export function readOutcomes(file: string, known: (id: string) => boolean, opts: LoadOptions = {}): { rows: OutcomeRow[]; skipped: SkippedRow[] } {
  const draftId = (raw: string): string => {
    const id = fields.nonEmpty(raw).trim();
    if (!known(id)) throw new Error(`unknown draft "${id.slice(0, 40)}"`);
    return id;
  };
  const loaded = readTable<OutcomeRow>(file, {
    draft_id: { column: 'draft_id', parse: draftId },
    event: { column: 'event', parse: fields.oneOf(...OUTCOME_EVENTS) },
    timestamp: { column: 'timestamp', parse: parseTimestamp },
  }, { skipBad: opts.skipBad });
  return { rows: loaded.rows, skipped: loaded.skipped };
}

/** The draft ids an outcomes file names (rows too broken to name one are left to readOutcomes to report). */
export function outcomeIdsOf(file: string): string[] {
  const loaded = readTable<{ draft_id: string }>(file, { draft_id: { column: 'draft_id', parse: (raw) => fields.nonEmpty(raw).trim() } }, { skipBad: true });
  return [...new Set(loaded.rows.map((r) => r.draft_id))];
}

/** Imports an outcomes file into the embedded store (one transaction; bandit-store.ts's steps). */
export function importOutcomes(db: Db, file: string, opts: LoadOptions & { actor?: string } = {}): ImportReport {
  const exists = db.prepare('SELECT 1 FROM drafts WHERE id = ?');
  // A campaign's holdout users get no draft; their outcomes come under their control id (campaign report).
  const control = db.prepare('SELECT 1 FROM campaign_members WHERE control_id = ?');
  const { rows, skipped } = readOutcomes(file, (id) => Boolean(exists.get(id) || control.get(id)), opts);
  return immediate(db, () => runSync(db, writeOutcomesSteps(file, rows, skipped, opts.actor ?? 'cli')));
}

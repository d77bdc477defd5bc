/**
 * Campaign outcomes: `draft_id,event,timestamp` CSV (event: impression | click |
 * conversion; timestamp: ISO 8601 or Unix seconds). The whole file is validated
 * first (unknown drafts, bad events and timestamps are refused with file, line and
 * field), then imported in one transaction. Importing the same rows again changes
 * nothing: a row is (draft_id, event, timestamp), and each draft's reward is
 * recomputed from all its rows, not added to.
 */
import { Db, audit, nowIso } from '../store/db';
import { LoadOptions, SkippedRow } from '../data/errors';
import { fields, readTable } from '../data/table';
import { applyOutcomes } from './strategy';

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

export interface ImportReport {
  file: string;
  rows: number;
  imported: number;
  duplicates: number;
  drafts_updated: number;
  skipped: SkippedRow[];
}

export function importOutcomes(db: Db, file: string, opts: LoadOptions & { actor?: string } = {}): ImportReport {
  const exists = db.prepare('SELECT 1 FROM drafts WHERE id = ?');
  // A campaign's holdout users get no draft; their outcomes come under their control id (campaign report).
  const control = db.prepare('SELECT 1 FROM campaign_members WHERE control_id = ?');
  const draftId = (raw: string): string => {
    const id = fields.nonEmpty(raw).trim();
    if (!exists.get(id) && !control.get(id)) throw new Error(`unknown draft "${id.slice(0, 40)}"`);
    return id;
  };
  const loaded = readTable<OutcomeRow>(file, {
    draft_id: { column: 'draft_id', parse: draftId },
    event: { column: 'event', parse: fields.oneOf(...OUTCOME_EVENTS) },
    timestamp: { column: 'timestamp', parse: parseTimestamp },
  }, { skipBad: opts.skipBad });
  const rows = loaded.rows;
  const skipped = loaded.skipped;
  const insert = db.prepare('INSERT OR IGNORE INTO outcomes (draft_id, event, timestamp, imported_at) VALUES (?, ?, ?, ?)');
  const at = nowIso();
  return db.transaction(() => {
    let imported = 0;
    const touched = new Set<string>();
    for (const r of rows) {
      if (insert.run(r.draft_id, r.event, r.timestamp, at).changes === 1) {
        imported++;
        touched.add(r.draft_id);
      }
    }
    let updated = 0;
    for (const id of touched) if (exists.get(id) && applyOutcomes(db, id)) updated++;
    audit(db, { actor: opts.actor ?? 'cli', action: 'outcomes_imported', after: { file, rows: rows.length, imported, drafts: touched.size } });
    return { file, rows: rows.length + skipped.length, imported, duplicates: rows.length - imported, drafts_updated: updated, skipped };
  })();
}

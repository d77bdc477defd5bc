/**
 * `copydesk export --status approved [--since <date>] --format csv|json [--out file]`:
 * reviewed copy with its item, the user's pseudonym (never the raw id), the
 * reviewer and the decision time, for campaign tools and spreadsheets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { openStore, type Db, type DraftStatus } from '../../../core/store/db';
import { UsageError } from '../usage-error';

export const EXPORT_STATUSES: DraftStatus[] = ['approved', 'rejected', 'pending', 'superseded'];
export const EXPORT_COLUMNS = ['draft_id', 'request_id', 'item_id', 'user_pseudonym', 'text', 'tone', 'strategy', 'version', 'edited', 'reviewer', 'decided_at', 'created_at'] as const;

export type ExportRow = { [K in (typeof EXPORT_COLUMNS)[number]]: string | number | boolean | null };

export interface ExportQuery {
  status: DraftStatus;
  /** ISO time; rows decided (or, for pending drafts, created) at or after it. */
  since?: string;
}

/** Parses `--since`: a date (2026-11-01, that day 00:00 UTC) or a full ISO time. */
export function parseSince(text: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(text)) throw new UsageError(`--since must be a date like 2026-11-01 or an ISO time, not "${text}"`);
  return new Date(t).toISOString();
}

export function exportRows(db: Db, q: ExportQuery): ExportRow[] {
  const rows = db.prepare(`SELECT id AS draft_id, request_id, item_id, user_pseudonym, text, tone, strategy, version, edited,
      decided_by AS reviewer, decided_at, created_at
    FROM drafts WHERE status = ? AND COALESCE(decided_at, created_at) >= ?
    ORDER BY COALESCE(decided_at, created_at), rowid`).all(q.status, q.since ?? '') as ExportRow[];
  return rows.map((r) => ({ ...r, edited: !!r.edited }));
}

/** One CSV field (RFC 4180 quoting; a leading = + - @ is neutralised so spreadsheets never run it as a formula). */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(rows: ExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

interface ExportOptions { status: DraftStatus; since?: string; format: 'csv' | 'json'; out?: string; db?: string }

export function register(program: Command): void {
  program
    .command('export')
    .description('export reviewed copy (item, user pseudonym, reviewer, time) as CSV or JSON')
    .addOption(new Option('--status <status>', 'which drafts').choices(EXPORT_STATUSES).default('approved'))
    .option('--since <date>', 'only drafts decided on or after this date (YYYY-MM-DD or ISO time)')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--db <file>', 'the store (default COPYDESK_DB or ./copydesk.db)')
    .action((opts: ExportOptions) => {
      const file = opts.db ?? process.env.COPYDESK_DB ?? './copydesk.db';
      if (!fs.existsSync(file)) throw new UsageError(`no store at ${path.resolve(file)} (set COPYDESK_DB or --db)`);
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      const db = openStore(file);
      try {
        const rows = exportRows(db, { status: opts.status, since });
        const text = opts.format === 'json' ? toJson(rows) : toCsv(rows);
        if (opts.out) {
          fs.writeFileSync(opts.out, text);
          process.stderr.write(`exported ${rows.length} ${opts.status} draft(s) to ${opts.out}\n`);
        } else {
          process.stdout.write(text);
        }
      } finally {
        db.close();
      }
    });
}

/**
 * `copydesk export --status approved [--since <date>] --format csv|json [--out file]`:
 * reviewed copy with its item, the user's pseudonym (never the raw id), the
 * reviewer and the decision time, for campaign tools and spreadsheets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { openStore } from '../../../core/store/db';
import type { DraftStatus } from '../../../core/store/db';
import { EXPORT_STATUSES, EXPORT_COLUMNS, exportRows, type ExportRow } from '../../../core/store/drafts';
import { UsageError } from '../usage-error';

/** Parses `--since`: a date (2026-11-01, that day 00:00 UTC) or a full ISO time. */
export function parseSince(text: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(text)) throw new UsageError(`--since must be a date like 2026-11-01 or an ISO time, not "${text}"`);
  return new Date(t).toISOString();
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

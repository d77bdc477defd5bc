/** `copydesk export`: approved copy with item, user pseudonym, reviewer and time, as CSV or JSON. */
import { expect } from 'chai';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { decideDraft, openStore, type Db } from '../core/store/db';
import { csvField, parseSince, toCsv, toJson } from '../apps/cli/commands/export';
import { exportRows, EXPORT_COLUMNS } from '../core/store/drafts';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');

function seed(file: string): Db {
  const db = openStore(file);
  db.prepare("INSERT INTO requests (id, source, requested_by, user_id, item_id, tone, n, created_at) VALUES ('r1', 'slack', 'UREQ', 'u-381', 'SKU-1042', 'auto', 4, '2026-11-01T00:00:00.000Z')").run();
  const ins = db.prepare(`INSERT INTO drafts (id, request_id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score, compliance_json, explanation, created_at)
    VALUES (?, 'r1', 'u-381', 'p_7f3a', 'SKU-1042', ?, 'warm', 'warm/texture/short', 's1', 0.9, '{"ok":true,"findings":[]}', '偏好: 雪纺', '2026-11-01T00:00:00.000Z')`);
  ins.run('d1', '雪纺连衣裙，清爽一夏');
  ins.run('d2', '含"引号", 逗号\n和换行');
  ins.run('d3', '=HYPERLINK("x") 不该被执行');
  ins.run('d4', '还在等审核');
  for (const id of ['d1', 'd2', 'd3']) decideDraft(db, id, 'approved', 'UREVIEWER1');
  db.prepare("UPDATE drafts SET decided_at = '2026-10-15T08:00:00.000Z' WHERE id = 'd1'").run();
  db.prepare("UPDATE drafts SET edited = 1, version = 2 WHERE id = 'd2'").run();
  return db;
}

describe('copydesk export', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-export-'));
    file = path.join(dir, 'copydesk.db');
    db = seed(file);
  });
  afterEach(() => db.close());

  it('selects approved drafts, oldest decision first, with pseudonym (never the raw id), reviewer and time', () => {
    const rows = exportRows(db, { status: 'approved' });
    expect(rows.map((r) => r.draft_id)).to.deep.equal(['d1', 'd2', 'd3']);
    expect(rows[0]).to.include({ item_id: 'SKU-1042', user_pseudonym: 'p_7f3a', reviewer: 'UREVIEWER1', decided_at: '2026-10-15T08:00:00.000Z', edited: false });
    expect(JSON.stringify(rows)).to.not.include('u-381');
    expect(exportRows(db, { status: 'approved', since: parseSince('2026-11-01') }).map((r) => r.draft_id)).to.deep.equal(['d2', 'd3']);
    expect(exportRows(db, { status: 'pending' }).map((r) => r.draft_id)).to.deep.equal(['d4']);
  });

  it('writes RFC 4180 CSV (quotes, newlines) and neutralises spreadsheet formulas', () => {
    const csv = toCsv(exportRows(db, { status: 'approved' }));
    const lines = csv.split('\r\n');
    expect(lines[0]).to.equal(EXPORT_COLUMNS.join(','));
    expect(csv).to.include('"含""引号"", 逗号\n和换行"');
    expect(csv).to.include(`"'=HYPERLINK(""x"") 不该被执行"`);
    expect(csvField(-3)).to.equal('-3');
    expect(csvField(null)).to.equal('');
    const back = JSON.parse(toJson(exportRows(db, { status: 'approved' })));
    expect(back[1].text).to.equal('含"引号", 逗号\n和换行');
  });

  it('runs from the CLI: --format json --out, --since, and clear one-line errors', async () => {
    const out = path.join(dir, 'approved.json');
    const env = { ...process.env, COPYDESK_DB: file };
    const r = await run('node', [CLI, 'export', '--status', 'approved', '--since', '2026-11-01', '--format', 'json', '--out', out], { env });
    expect(r.stderr).to.match(/exported 2 approved draft\(s\)/);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).map((x: { draft_id: string }) => x.draft_id)).to.deep.equal(['d2', 'd3']);
    const csv = await run('node', [CLI, 'export', '--format', 'csv'], { env });
    expect(csv.stdout.split('\r\n')[0]).to.equal(EXPORT_COLUMNS.join(','));
    const bad = await run('node', [CLI, 'export', '--since', 'last tuesday'], { env }).catch((e) => e);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/^copydesk: --since must be a date/);
    const none = await run('node', [CLI, 'export', '--db', path.join(dir, 'missing.db')], { env }).catch((e) => e);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/no store at/);
  });
});

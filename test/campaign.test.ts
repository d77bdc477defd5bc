/**
 * Embedded campaigns (SQLite, jobs in-process) on a 300-user demo store written for the test:
 * exactly one draft per non-holdout user, a deterministic holdout, the export has one row per
 * user (CSV safe against formulas), a re-run / resume / redelivered batch changes nothing,
 * sample review (approve, reject → redraft), the lift report from imported outcomes; and the
 * CLI's one-line errors (bad segment, unknown item, unreachable servers) with nonzero exits.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeDemoStore } from '../core/demo/generate';
import { openStore, Db } from '../core/store/db';
import { sqliteSql } from '../core/campaign/sql';
import { CampaignTables } from '../core/campaign/tables';
import type { CampaignBackend } from '../core/campaign/backend';
import { campaignContext, CampaignContext } from '../core/campaign/context';
import { createCampaign, runEmbedded, batchesOf } from '../core/campaign/runner';
import { draftBatch } from '../core/campaign/batch';
import { parseSegment, parseHoldout, isHoldout, CampaignSpecError } from '../core/campaign/spec';
import { campaignStatus, reviewSample, liftReport, rateDiff } from '../core/campaign/report';
import { importOutcomes } from '../core/copywriter/outcomes';

import { cli, errorLines } from './campaign-helpers';

async function redisUp(): Promise<boolean> {
  const IORedis = require('ioredis') as typeof import('ioredis').default;
  const r = new IORedis('redis://127.0.0.1:6379', { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

describe('campaigns (embedded: SQLite, in-process)', function () {
  this.timeout(300_000);
  let dir: string;
  let storeDir: string;
  let db: Db;
  let backend: CampaignBackend;
  let ctx: CampaignContext;
  let campaignId: string;
  let segmentUsers: string[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-campaign-'));
    storeDir = path.join(dir, 'store');
    writeDemoStore(storeDir, { users: 300 });
    db = openStore(path.join(dir, 'copydesk.db'));
    const sql = sqliteSql(db);
    backend = { kind: 'embedded', tables: new CampaignTables(sql), db, warnings: [], close: () => sql.close() };
    ctx = await campaignContext(storeDir, { db, pseudonymKey: 'test-key' });
  });
  after(() => {
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('parses segment specs and refuses bad ones with one line', () => {
    expect(parseSegment('all')).to.deep.equal({ kind: 'all' });
    expect(parseSegment('taste:甜美')).to.deep.equal({ kind: 'taste', value: '甜美' });
    expect(parseSegment('category:裙')).to.deep.equal({ kind: 'category', value: '裙' });
    expect(parseSegment('csv:a.csv')).to.deep.equal({ kind: 'csv', file: 'a.csv' });
    for (const bad of ['', 'everyone', 'taste:', 'colour:red']) expect(() => parseSegment(bad)).to.throw(CampaignSpecError);
    expect(() => parseHoldout('1.5')).to.throw(/holdout/);
    expect(parseHoldout(undefined)).to.equal(0.1);
  });

  it('drafts exactly one draft per non-holdout user of a 250-user segment; holdout users get none', async () => {
    const c = await createCampaign(backend, ctx, { items: ['SKU-1001'], segment: { kind: 'all' }, limit: 250, holdout: 0.2, strategy: {} });
    campaignId = c.id;
    segmentUsers = ctx.store.users.slice(0, 250).map((u) => u.user_id);
    const holdout = segmentUsers.filter((u) => isHoldout(c.id, u, 0.2));
    expect(holdout.length).to.be.within(25, 75);
    expect(c.users + c.holdoutUsers).to.equal(250);
    expect(c.holdoutUsers).to.equal(holdout.length);
    const totals = await runEmbedded(backend, ctx, c.id);
    expect(totals.pools_generated).to.be.greaterThan(0).and.below(c.users);
    const s = (await campaignStatus(backend.tables, c.id))!;
    expect(s).to.include({ campaign_id: c.id, users: c.users, drafted: c.users, failed: 0, pending: 0, status: 'review' });
    const rows = db.prepare('SELECT c.user_id, d.item_id, d.text, d.status, d.explanation FROM campaign_drafts c JOIN drafts d ON d.id = c.draft_id WHERE c.campaign_id = ?').all(c.id) as Array<{ user_id: string; item_id: string; text: string; status: string; explanation: string }>;
    expect(rows).to.have.length(c.users);
    expect(new Set(rows.map((r) => r.user_id)).size).to.equal(c.users);
    for (const r of rows) {
      expect(holdout).to.not.include(r.user_id);
      expect(r.item_id).to.equal('SKU-1001');
      expect(r.text.length).to.be.greaterThan(20);
      expect(r.status).to.equal('pending');
      // The marketer's explanation (issue #16): why this item, in Chinese, no strategy ids or English.
      expect(r.explanation).to.match(/^选品: 按指定商品/);
      expect(r.explanation).to.not.match(/[A-Za-z]{3,}/);
    }
    // Personalised, not one text for everyone.
    expect(new Set(rows.map((r) => r.text)).size).to.be.greaterThan(c.users * 0.5);
  });

  it('re-running, resuming or redelivering a batch changes nothing', async () => {
    const before = db.prepare('SELECT COUNT(*) AS n FROM drafts').get() as { n: number };
    const again = await runEmbedded(backend, ctx, campaignId);
    expect(again.batches).to.equal(0);
    let drafted = 0;
    let skipped = 0;
    for (const users of batchesOf(segmentUsers)) {
      const r = await draftBatch(ctx, backend.tables, campaignId, users);
      drafted += r.drafted;
      skipped += r.skipped;
    }
    expect(drafted).to.equal(0);
    // holdout users are skipped too: they never get a draft, whoever asks
    expect(skipped).to.equal(segmentUsers.length);
    expect((db.prepare('SELECT COUNT(*) AS n FROM drafts').get() as { n: number }).n).to.equal(before.n);
  });

  it('exports one row per user as JSONL and formula-safe CSV through the CLI', async () => {
    const file = path.join(dir, 'copydesk.db');
    const c = (await backend.tables.get(campaignId))!;
    const jsonl = await cli(['campaign', 'export', campaignId, '--format', 'jsonl', '--db', file]);
    expect(jsonl.code, jsonl.stderr).to.equal(0);
    const rows = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).to.have.length(c.users);
    expect(Object.keys(rows[0])).to.deep.equal(['user', 'item_id', 'text', 'draft_id', 'status']);
    expect(new Set(rows.map((r) => r.user)).size).to.equal(c.users);
    expect(rows.some((r) => /^u-\d+$/.test(r.user))).to.equal(false);
    // A formula-looking text is neutralised in CSV.
    db.prepare('UPDATE drafts SET text = ? WHERE id = ?').run('=HYPERLINK("http://x")', rows[0].draft_id);
    const csv = await cli(['campaign', 'export', campaignId, '--format', 'csv', '--db', file]);
    expect(csv.code, csv.stderr).to.equal(0);
    const lines = csv.stdout.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).to.equal('user,item_id,text,draft_id,status');
    expect(lines).to.have.length(c.users + 1);
    expect(csv.stdout).to.include(`"'=HYPERLINK(""http://x"")"`);
    const status = await cli(['campaign', 'status', campaignId, '--json', '--db', file]);
    expect(JSON.parse(status.stdout)).to.include({ campaign_id: campaignId, users: c.users, drafted: c.users, failed: 0, pending: 0 });
  });

  it('reports lift against the holdout from imported outcomes (control ids for holdout users)', async () => {
    const ids = await backend.tables.controlIds(campaignId);
    const drafts = await backend.tables.exportRows(campaignId);
    const holdout = ids.filter((x) => Number(x.holdout) === 1);
    // Messaged: every 4th converts; holdout: every 10th.
    const lines = ['draft_id,event,timestamp'];
    drafts.forEach((d, i) => { lines.push(`${d.draft_id},impression,2026-12-01T10:00:00Z`); if (i % 4 === 0) lines.push(`${d.draft_id},conversion,2026-12-01T11:00:00Z`); });
    holdout.forEach((h, i) => { if (i % 10 === 0) lines.push(`${h.control_id},conversion,2026-12-01T11:00:00Z`); });
    const f = path.join(dir, 'outcomes.csv');
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    const imp = importOutcomes(db, f);
    expect(imp.imported).to.equal(lines.length - 1);
    const r = (await liftReport(backend.tables, campaignId))!;
    const conv = Math.ceil(drafts.length / 4);
    const hconv = Math.ceil(holdout.length / 10);
    expect(r.conversions.treated).to.equal(conv);
    expect(r.conversions.holdout).to.equal(hconv);
    const want = rateDiff(conv, drafts.length, hconv, holdout.length);
    expect(r.conversions.lift).to.equal(want.lift);
    expect(r.conversions.ci95[0]).to.be.below(r.conversions.lift);
    expect(r.conversions.ci95[1]).to.be.above(r.conversions.lift);
    // Re-importing changes nothing.
    expect(importOutcomes(db, f).imported).to.equal(0);
  });

  it('reviews by sample: rejecting supersedes and redrafts; approving approves every pending draft', async () => {
    const c = await createCampaign(backend, ctx, { items: ['SKU-1010', 'SKU-1100'], segment: { kind: 'all' }, limit: 40, holdout: 0, strategy: { tone: 'warm' } });
    await runEmbedded(backend, ctx, c.id);
    const sample = await reviewSample(backend.tables, c.id, 3);
    expect(sample).to.have.length(3);
    expect(await reviewSample(backend.tables, c.id, 3)).to.deep.equal(sample);
    await backend.tables.decide(c.id, 'rejected', sample.map((s) => s.draft_id), 'UREV', 'too long');
    let s = (await campaignStatus(backend.tables, c.id))!;
    expect(s).to.include({ status: 'drafting', generation: 2, drafted: 0, pending: 40 });
    await runEmbedded(backend, ctx, c.id);
    s = (await campaignStatus(backend.tables, c.id))!;
    expect(s).to.include({ status: 'review', drafted: 40, pending_review: 40 });
    const tones = db.prepare('SELECT DISTINCT d.tone FROM campaign_drafts c JOIN drafts d ON d.id = c.draft_id WHERE c.campaign_id = ?').all(c.id) as Array<{ tone: string }>;
    expect(tones.map((t) => t.tone)).to.deep.equal(['warm']);
    const again = await reviewSample(backend.tables, c.id, 3);
    await backend.tables.decide(c.id, 'approved', again.map((x) => x.draft_id), 'UREV');
    s = (await campaignStatus(backend.tables, c.id))!;
    expect(s).to.include({ status: 'approved', approved: 40, pending_review: 0 });
    expect((await backend.tables.reviews(c.id)).map((r) => [r.decision, r.reasons])).to.deep.equal([['rejected', 'too long'], ['approved', null]]);
  });

  it('CLI: campaign run --json gives the fields; bad specs, unknown items and unreachable servers give one line and a nonzero exit, writing nothing', async function () {
    const file = path.join(dir, 'cli.db');
    const run = await cli(['campaign', 'run', '--item', 'SKU-1003', '--segment', 'category:裙', '--limit', '12', '--holdout', '0', '--store', storeDir, '--db', file, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout);
    for (const k of ['campaign_id', 'users', 'drafted', 'failed', 'seconds']) expect(out).to.have.property(k);
    expect(out).to.include({ users: 12, drafted: 12, failed: 0 });

    const countCampaigns = () => (openStore(file).prepare('SELECT COUNT(*) AS n FROM campaigns').get() as { n: number }).n;
    const cases: Array<[string[], NodeJS.ProcessEnv, number, RegExp]> = [
      [['--segment', 'colour:red'], {}, 2, /segment "colour:red"/],
      [['--segment', 'taste:'], {}, 2, /taste: needs a value/],
      [['--segment', 'csv:/nonexistent/users.csv'], {}, 2, /file not found/],
      [['--segment', 'all', '--holdout', '2'], {}, 2, /--holdout/],
      [['--segment', 'all', '--item', 'SKU-99999'], {}, 2, /unknown item "SKU-99999"/],
      // Redis is checked first: with no Redis on this machine the first case names Redis instead.
      [['--segment', 'all'], { COPYDESK_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', COPYDESK_REDIS_URL: 'redis://127.0.0.1:6379' }, 1, (await redisUp()) ? /PostgreSQL at .* does not answer/ : /Redis at .* does not answer/],
      [['--segment', 'all'], { COPYDESK_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', COPYDESK_REDIS_URL: 'redis://127.0.0.1:1' }, 1, /Redis at .* does not answer/],
      [['--segment', 'all'], { COPYDESK_REDIS_URL: 'redis://127.0.0.1:6379', COPYDESK_DATABASE_URL: '' }, 2, /needs both/],
    ];
    for (const [extra, env, code, re] of cases) {
      const args = ['campaign', 'run', '--item', 'SKU-1003', '--store', storeDir, '--db', file, '--json', ...extra];
      const r = await cli(args, env, 60_000);
      const lines = errorLines(r.stderr);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).to.equal(code);
      expect(lines, extra.join(' ')).to.have.length(1);
      expect(lines[0]).to.match(re);
      expect(r.stdout).to.equal('');
    }
    expect(countCampaigns()).to.equal(1);
    const unknown = await cli(['campaign', 'status', 'c_nope', '--db', file]);
    expect(unknown.code).to.equal(2);
    expect(errorLines(unknown.stderr)[0]).to.match(/unknown campaign "c_nope"/);
  });
});

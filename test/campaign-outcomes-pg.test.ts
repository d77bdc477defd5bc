/**
 * Outcomes and the strategy bandit in the distributed store, on the real PostgreSQL (its own
 * database `outcomes_test_<random>`) and Redis (its own key prefix): the same campaign (members,
 * holdout, drafts) is written to PostgreSQL and to a SQLite store through CampaignTables, the
 * same outcomes file is imported into each with `copydesk outcomes import`, and:
 *   - a re-import changes nothing (rows, arms, feedback);
 *   - two importers at once write each outcome once and the bandit as one import would;
 *   - `campaign report --json` (lift vs holdout, 95% CI) from PostgreSQL equals SQLite's, and so do
 *     the posteriors (strategy and phrasing arms) that workers read to pick strategies;
 *   - bad rows: one line naming file, line and field, exit 2, nothing written;
 *   - an unreachable PostgreSQL: one line, exit 1;
 *   - a campaign approval on PostgreSQL feeds the bandit there, as on SQLite.
 * Skips with the reason when a server does not answer, except under CI=true.
 */
import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { openStore } from '../core/store/db';
import { sqliteSql, Sql } from '../core/campaign/sql';
import { openPg } from '../core/campaign/pg';
import { CampaignTables, CampaignDraftWrite } from '../core/campaign/tables';
import { campaignDraftId } from '../core/campaign/spec';
import { chooseFromStates, strategyId } from '../core/copywriter/strategy';
import { seededRng } from '../core/util/random';
import { defaultTemplates } from '../core/copywriter/templates';
import { templateSlots, literalOf, MIN_LITERAL, phrasingSegment } from '../core/copywriter/phrasing';
import { cli, errorLines, PG_ADMIN, REDIS, inCI, serversAnswer, admin } from './campaign-helpers';

const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');
const CAMPAIGN = 'c_outcomestest';
const SEGMENT = 'taste:甜美';
const STRATEGIES = ['warm/appearance/short', 'playful/texture/medium', 'premium/function/long'];

interface Snapshot { outcomes: number; arms: Array<{ segment: string; strategy: string; alpha: number; beta: number }>; feedback: Array<{ draft_id: string; kind: string; success: number; failure: number }> }

async function snapshot(sql: Sql): Promise<Snapshot> {
  const [o] = await sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM outcomes');
  const arms = (await sql.all<Snapshot['arms'][number]>('SELECT segment, strategy, alpha, beta FROM bandit_arms ORDER BY segment, strategy'))
    .map((a) => ({ segment: a.segment, strategy: a.strategy, alpha: Number(a.alpha), beta: Number(a.beta) }));
  const feedback = (await sql.all<Snapshot['feedback'][number]>('SELECT draft_id, kind, success, failure FROM bandit_feedback ORDER BY draft_id, kind'))
    .map((f) => ({ draft_id: f.draft_id, kind: f.kind, success: Number(f.success), failure: Number(f.failure) }));
  return { outcomes: Number(o.n), arms, feedback };
}

/** Posteriors equal to the last bits a sum in another order may change. */
function expectSameArms(a: Snapshot['arms'], b: Snapshot['arms']): void {
  expect(a.map((x) => `${x.segment}|${x.strategy}`)).to.deep.equal(b.map((x) => `${x.segment}|${x.strategy}`));
  a.forEach((x, i) => {
    expect(x.alpha).to.be.closeTo(b[i].alpha, 1e-9);
    expect(x.beta).to.be.closeTo(b[i].beta, 1e-9);
  });
}

/** Runs the CLI without waiting (for two importers at once). */
function cliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, COPYDESK_PSEUDONYM_KEY: 'test-key', ...env } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('campaign outcomes and the bandit in PostgreSQL (distributed store)', function () {
  this.timeout(300_000);
  const name = `outcomes_test_${randomBytes(5).toString('hex')}`;
  const prefix = `outcomes_test_${randomBytes(5).toString('hex')}`;
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let liteFile: string;
  let pg: Sql;
  let lite: Sql;
  let drafts: CampaignDraftWrite[] = [];
  let holdoutControls: string[] = [];
  let phrasingLine = '';

  const write = (file: string, lines: string[]) => {
    const f = path.join(dir, file);
    fs.writeFileSync(f, `draft_id,event,timestamp\n${lines.join('\n')}\n`);
    return f;
  };

  before(async function () {
    const why = await serversAnswer();
    if (why) {
      if (inCI) throw new Error(`${why}: CI needs both servers (.ci/run starts them)`);
      this.skip();
    }
    await admin(`CREATE DATABASE ${name}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-outcomes-pg-'));
    liteFile = path.join(dir, 'copydesk.db');
    env = { COPYDESK_DATABASE_URL: dbUrl, COPYDESK_REDIS_URL: REDIS, COPYDESK_QUEUE_PREFIX: prefix, COPYDESK_DB: path.join(dir, 'unused.db') };
    pg = await openPg(dbUrl);
    lite = sqliteSql(openStore(liteFile), { closeDb: true });

    // One campaign of 400 users (40 holdout), drafted with three strategies; a template line in every text (phrasing arms).
    const slot = templateSlots(defaultTemplates()).find((s) => s.lines.some((l) => literalOf(l).length >= MIN_LITERAL))!;
    phrasingLine = `${slot.slot}|${slot.lines.find((l) => literalOf(l).length >= MIN_LITERAL)}`;
    const literal = literalOf(phrasingLine.split('|')[1]);
    const members = Array.from({ length: 400 }, (_, i) => ({ userId: `u-${i + 1}`, holdout: i % 10 === 9 }));
    drafts = members.filter((m) => !m.holdout).map((m, i) => ({
      userId: m.userId, pseudonym: `p_${m.userId}`, segment: SEGMENT,
      draft: {
        id: campaignDraftId(CAMPAIGN, m.userId), item_id: 'SKU-1001', text: `${literal}，这条裙子给 ${m.userId}。`, tone: STRATEGIES[i % 3].split('/')[0] as never,
        strategy: STRATEGIES[i % 3], score: 0.5, compliance: { ok: true, findings: [] }, explanation: 'test',
      },
    }));
    for (const sql of [pg, lite]) {
      const t = new CampaignTables(sql);
      await t.create({ id: CAMPAIGN, items: ['SKU-1001'], segment: SEGMENT, strategy: {}, holdout: 0.1, limit: null, storeDir: dir, users: 360, holdoutUsers: 40, createdBy: 'test' }, members);
      expect(await t.saveDrafts(CAMPAIGN, drafts)).to.equal(360);
    }
    holdoutControls = (await new CampaignTables(pg).controlIds(CAMPAIGN)).filter((c) => Number(c.holdout) === 1).map((c) => c.control_id);
    expect(holdoutControls).to.have.length(40);
  });

  after(async function () {
    if (!env) return;
    await pg?.close();
    await lite?.close();
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    const r = new IORedis(REDIS);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports into PostgreSQL; the same file again changes nothing; lift, CI and posteriors equal the SQLite figures', async () => {
    // Messaged users: an impression each, every 5th clicks, every 8th converts; holdout: every 6th converts.
    const lines: string[] = [];
    drafts.forEach((d, i) => {
      lines.push(`${d.draft.id},impression,2026-12-01T10:00:00Z`);
      if (i % 5 === 0) lines.push(`${d.draft.id},click,2026-12-01T10:05:00Z`);
      if (i % 8 === 0) lines.push(`${d.draft.id},conversion,2026-12-01T11:00:00Z`);
    });
    holdoutControls.forEach((c, i) => { if (i % 6 === 0) lines.push(`${c},conversion,2026-12-01T11:00:00Z`); });
    const f = write('outcomes.csv', lines);

    const before = await snapshot(pg);
    expect(before).to.deep.include({ outcomes: 0, arms: [], feedback: [] });
    const r1 = await cli(['outcomes', 'import', f, '--json'], env);
    expect(r1.code, r1.stderr).to.equal(0);
    expect(JSON.parse(r1.stdout)).to.include({ rows: lines.length, imported: lines.length, duplicates: 0, drafts_updated: 360 });
    const once = await snapshot(pg);
    expect(once.outcomes).to.equal(lines.length);
    expect(once.feedback).to.have.length(360);
    // Nothing went to the SQLite store the environment names.
    expect(fs.existsSync(String(env.COPYDESK_DB))).to.equal(false);

    const r2 = await cli(['outcomes', 'import', f, '--json'], env);
    expect(r2.code, r2.stderr).to.equal(0);
    expect(JSON.parse(r2.stdout)).to.include({ imported: 0, duplicates: lines.length, drafts_updated: 0 });
    expect(await snapshot(pg)).to.deep.equal(once);

    // The same file into the SQLite store (the same CLI command, embedded): same posteriors, same report.
    const r3 = await cli(['outcomes', 'import', f, '--db', liteFile, '--json']);
    expect(r3.code, r3.stderr).to.equal(0);
    expect(JSON.parse(r3.stdout)).to.include({ imported: lines.length, drafts_updated: 360 });
    const liteSnap = await snapshot(lite);
    expectSameArms(once.arms, liteSnap.arms);
    expect(once.feedback).to.deep.equal(liteSnap.feedback);
    // Strategy arms and the phrasing arm of the template line every text holds.
    expect(once.arms.filter((a) => a.segment === SEGMENT).map((a) => a.strategy)).to.deep.equal([...STRATEGIES].sort());
    const phr = once.arms.find((a) => a.segment === phrasingSegment(SEGMENT) && a.strategy === phrasingLine)!;
    expect(phr, JSON.stringify(once.arms.map((a) => a.strategy))).to.not.equal(undefined);
    expect(phr.alpha - 1).to.be.closeTo(0.2 * (72 + 45), 1e-9);

    const pgReport = await cli(['campaign', 'report', CAMPAIGN, '--json'], env);
    const liteReport = await cli(['campaign', 'report', CAMPAIGN, '--json', '--db', liteFile]);
    expect(pgReport.code, pgReport.stderr).to.equal(0);
    expect(liteReport.code, liteReport.stderr).to.equal(0);
    const rp = JSON.parse(pgReport.stdout), rl = JSON.parse(liteReport.stdout);
    expect(rp).to.deep.equal(rl);
    expect(rp).to.include({ treated_users: 360, holdout_users: 40 });
    expect(rp.conversions).to.include({ treated: 45, holdout: 7 });
    expect(rp.clicks).to.include({ treated: 72, holdout: 0 });
    expect(rp.conversions.ci95[0]).to.be.below(rp.conversions.lift);
    expect(rp.conversions.ci95[1]).to.be.above(rp.conversions.lift);

    // What a worker reads to pick a pool's strategy: the same posteriors from PostgreSQL.
    const states = await new CampaignTables(pg).armStates(SEGMENT);
    expectSameArms(states.map((s) => ({ segment: SEGMENT, ...s })), liteSnap.arms.filter((a) => a.segment === SEGMENT));
    const pick = (st: typeof states) => strategyId(chooseFromStates(st, 1, {}, seededRng(7))[0]);
    expect(pick(states)).to.equal(pick(await new CampaignTables(lite).armStates(SEGMENT)));
  });

  it('two importers at once: every outcome once, the bandit as after one import (same file, or two files about the same drafts)', async () => {
    const lines = drafts.flatMap((d, i) => (i % 3 === 0 ? [`${d.draft.id},impression,2026-12-02T10:00:00Z`, `${d.draft.id},click,2026-12-02T10:01:00Z`] : [`${d.draft.id},impression,2026-12-02T10:00:00Z`]));
    const f = write('day2.csv', lines);
    const before = await snapshot(pg);
    const [a, b] = await Promise.all([cliAsync(['outcomes', 'import', f, '--json'], env), cliAsync(['outcomes', 'import', f, '--json'], env)]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    const ra = JSON.parse(a.stdout), rb = JSON.parse(b.stdout);
    expect(ra.imported + rb.imported).to.equal(lines.length);
    expect([ra.imported, rb.imported].sort((x, y) => x - y)).to.deep.equal([0, lines.length]);
    const after = await snapshot(pg);
    expect(after.outcomes).to.equal(before.outcomes + lines.length);
    const r = await cli(['outcomes', 'import', f, '--db', liteFile, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const liteSnap = await snapshot(lite);
    expect(after.outcomes).to.equal(liteSnap.outcomes);
    expectSameArms(after.arms, liteSnap.arms);
    expect(after.feedback).to.deep.equal(liteSnap.feedback);

    // Two different files about the same drafts at once: each draft's reward counts both (none is lost to the other's transaction).
    const fa = write('day3a.csv', drafts.map((d) => `${d.draft.id},impression,2026-12-03T10:00:00Z`));
    const fb = write('day3b.csv', drafts.flatMap((d, i) => (i % 2 === 0 ? [`${d.draft.id},click,2026-12-03T10:01:00Z`] : [`${d.draft.id},conversion,2026-12-03T10:02:00Z`])));
    const [c, e] = await Promise.all([cliAsync(['outcomes', 'import', fa, '--json'], env), cliAsync(['outcomes', 'import', fb, '--json'], env)]);
    expect(c.code, c.stderr).to.equal(0);
    expect(e.code, e.stderr).to.equal(0);
    for (const g of [fa, fb]) expect((await cli(['outcomes', 'import', g, '--db', liteFile, '--json'])).code).to.equal(0);
    const both = await snapshot(pg), bothLite = await snapshot(lite);
    expect(both.outcomes).to.equal(bothLite.outcomes);
    expectSameArms(both.arms, bothLite.arms);
    expect(both.feedback).to.deep.equal(bothLite.feedback);
  });

  it('bad rows: one line naming file, line and field, exit 2, nothing written', async () => {
    const before = await snapshot(pg);
    const d0 = drafts[0].draft.id;
    const cases: Array<[string[], RegExp]> = [
      [[`${d0},impression,2026-12-03T10:00:00Z`, `${d0},like,2026-12-03T10:00:00Z`], /bad0\.csv:3 \(field "event"\): "like" is not one of impression, click, conversion/],
      [[`${d0},impression,2026-12-03T10:00:00Z`, `${d0},click,2026-12-03T10:00:00Z`, 'd_nosuchdraft,click,2026-12-03T10:00:00Z'], /bad1\.csv:4 \(field "draft_id"\): unknown draft "d_nosuchdraft"/],
      [[`${d0},click,2026-02-30T10:00:00Z`], /bad2\.csv:2 \(field "timestamp"\).*has no day 30/],
    ];
    for (const [i, [rows, re]] of cases.entries()) {
      const f = write(`bad${i}.csv`, rows);
      const r = await cli(['outcomes', 'import', f], env);
      expect(r.code, r.stderr).to.equal(2);
      const err = errorLines(r.stderr);
      expect(err, r.stderr).to.have.length(1);
      expect(err[0]).to.match(re);
    }
    expect(await snapshot(pg)).to.deep.equal(before);
  });

  it('an unreachable PostgreSQL: one line, exit 1, never a hang', async () => {
    const f = write('one.csv', [`${drafts[0].draft.id},impression,2026-12-04T10:00:00Z`]);
    const t0 = Date.now();
    const r = await cli(['outcomes', 'import', f], { ...env, COPYDESK_DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nowhere' }, 30_000);
    expect(r.code, r.stderr).to.equal(1);
    const err = errorLines(r.stderr);
    expect(err, r.stderr).to.have.length(1);
    expect(err[0]).to.match(/^copydesk: PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere does not answer/);
    expect(Date.now() - t0).to.be.below(20_000);
    // Only one of the two variables: a usage error.
    const half = await cli(['outcomes', 'report'], { COPYDESK_DATABASE_URL: dbUrl, COPYDESK_REDIS_URL: '' });
    expect(half.code).to.equal(2);
    expect(errorLines(half.stderr)[0]).to.match(/needs both COPYDESK_DATABASE_URL and COPYDESK_REDIS_URL/);
  });

  it('outcomes report and a campaign approval work on PostgreSQL (the decision feeds the bandit there)', async () => {
    const rep = await cli(['outcomes', 'report', '--json'], env);
    expect(rep.code, rep.stderr).to.equal(0);
    const byPg = JSON.parse(rep.stdout);
    const byLite = JSON.parse((await cli(['outcomes', 'report', '--json', '--db', liteFile])).stdout);
    expect(Object.keys(byPg)).to.deep.equal([SEGMENT]);
    expect(byPg[SEGMENT].map((a: { strategy: string }) => a.strategy)).to.deep.equal(byLite[SEGMENT].map((a: { strategy: string }) => a.strategy));
    const ok = await cli(['campaign', 'approve', CAMPAIGN, '--n', '4', '--by', 'UREV', '--json'], env);
    expect(ok.code, ok.stderr).to.equal(0);
    const out = JSON.parse(ok.stdout);
    expect(out.sample).to.have.length(4);
    const fb = await pg.all<{ draft_id: string; success: number }>("SELECT draft_id, success FROM bandit_feedback WHERE kind = 'decision' ORDER BY draft_id");
    expect(fb.map((x) => x.draft_id)).to.deep.equal([...out.sample].sort());
    expect(fb.every((x) => Number(x.success) === 1)).to.equal(true);
    // The same command on the SQLite store: the same sample (a hash of campaign × draft), the same feedback rows.
    const okLite = await cli(['campaign', 'approve', CAMPAIGN, '--n', '4', '--by', 'UREV', '--json', '--db', liteFile]);
    expect(okLite.code, okLite.stderr).to.equal(0);
    expect(JSON.parse(okLite.stdout).sample).to.deep.equal(out.sample);
    expect((await snapshot(lite)).feedback).to.deep.equal((await snapshot(pg)).feedback);
    expectSameArms((await snapshot(lite)).arms, (await snapshot(pg)).arms);
  });
});

/** Strategy learning: Thompson sampling converges on simulated feedback; decisions and outcome imports update the store once. */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Db, openStore, nowIso } from '../core/store/db';
import { allStrategies, armStates, chooseStrategies, recordDecision, strategyId, addReward, strategyReport, OUTCOME_WEIGHT } from '../core/copywriter/strategy';
import { importOutcomes, parseTimestamp } from '../core/copywriter/outcomes';
import { seededRng, beta } from '../core/util/random';
import { DataError } from '../core/data/errors';

function insertDraft(db: Db, id: string, segment: string, strategy: string): void {
  db.prepare(`INSERT INTO drafts (id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score, compliance_json, explanation, created_at)
    VALUES (?, 'u1', 'u_x', 'i1', '文案', 'warm', ?, ?, 0, '{}', '', ?)`).run(id, strategy, segment, nowIso());
}

describe('bandit: Beta sampling', () => {
  it('Beta draws have the right mean', () => {
    const rng = seededRng(1);
    let s = 0;
    for (let i = 0; i < 20000; i++) s += beta(rng, 3, 7);
    expect(s / 20000).to.be.closeTo(0.3, 0.01);
  });
});

describe('bandit: convergence on simulated reviewer feedback', () => {
  it('Thompson sampling ends up choosing the best of 36 strategies, per segment', () => {
    const db = openStore(':memory:');
    const rng = seededRng(42);
    const arms = allStrategies().map(strategyId);
    // Hidden approval rates: one clear best per segment, a few near misses, the rest poor.
    const truth: Record<string, Record<string, number>> = { 'cat:连衣裙': {}, 'cat:裤子': {} };
    const best = { 'cat:连衣裙': 'warm/appearance/medium', 'cat:裤子': 'concise/function/short' } as Record<string, string>;
    for (const seg of Object.keys(truth)) for (const a of arms) truth[seg][a] = a === best[seg] ? 0.8 : a.startsWith(best[seg].split('/')[0]) ? 0.55 : 0.25;
    let n = 0;
    const lastPicks: Record<string, string[]> = { 'cat:连衣裙': [], 'cat:裤子': [] };
    for (let t = 0; t < 1500; t++) {
      for (const seg of Object.keys(truth)) {
        const s = strategyId(chooseStrategies(db, seg, 1, {}, rng)[0]);
        const id = `d${n++}`;
        insertDraft(db, id, seg, s);
        const approved = rng.next() < truth[seg][s];
        recordDecision(db, id, approved ? 'approved' : 'rejected');
        if (t >= 1300) lastPicks[seg].push(s);
      }
    }
    for (const seg of Object.keys(truth)) {
      const share = lastPicks[seg].filter((s) => s === best[seg]).length / lastPicks[seg].length;
      expect(share, `${seg}: best arm share in the last 200 rounds`).to.be.greaterThan(0.8);
      expect(strategyReport(db, seg)[0].strategy).to.equal(best[seg]);
    }
  });
  it('respects a fixed tone (doubt → reassuring) and returns distinct arms', () => {
    const db = openStore(':memory:');
    const picks = chooseStrategies(db, 'cold', 3, { tone: 'reassuring' }, seededRng(3));
    expect(picks).to.have.length(3);
    expect(new Set(picks.map(strategyId)).size).to.equal(3);
    for (const p of picks) expect(p.tone).to.equal('reassuring');
  });
});

describe('bandit: recordDecision', () => {
  it('approve = 1, reject = 0, edited = 0.5; idempotent; edited then approved stays 0.5', () => {
    const db = openStore(':memory:');
    insertDraft(db, 'a', 'seg', 'warm/texture/short');
    insertDraft(db, 'b', 'seg', 'warm/texture/short');
    insertDraft(db, 'c', 'seg', 'warm/texture/short');
    expect(recordDecision(db, 'a', 'approved')).to.equal(true);
    expect(recordDecision(db, 'a', 'approved')).to.equal(false);
    recordDecision(db, 'b', 'rejected');
    recordDecision(db, 'c', 'edited');
    recordDecision(db, 'c', 'approved');
    const [arm] = armStates(db, 'seg');
    expect(arm.alpha).to.be.closeTo(1 + 1 + 0 + 0.5, 1e-9);
    expect(arm.beta).to.be.closeTo(1 + 0 + 1 + 0.5, 1e-9);
    expect(() => recordDecision(db, 'zzz', 'approved')).to.throw(/unknown draft/);
  });
});

describe('bandit: outcomes import', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-out-'));
  const write = (name: string, text: string) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, text);
    return f;
  };
  it('imports clicks and conversions against impressions, idempotently', () => {
    const db = openStore(':memory:');
    insertDraft(db, 'd1', 'seg', 'excited/appearance/long');
    const f = write('ok.csv', 'draft_id,event,timestamp\nd1,impression,2026-11-01T10:00:00Z\nd1,impression,2026-11-01T10:01:00Z\nd1,impression,1793530800\nd1,click,2026-11-01T10:02:00Z\nd1,conversion,2026-11-01T10:05:00Z\n');
    const r1 = importOutcomes(db, f);
    expect(r1).to.include({ rows: 5, imported: 5, duplicates: 0, drafts_updated: 1 });
    const [arm] = armStates(db, 'seg');
    expect(arm.alpha).to.be.closeTo(1 + OUTCOME_WEIGHT * 2, 1e-9);
    expect(arm.beta).to.be.closeTo(1 + OUTCOME_WEIGHT * 2, 1e-9);
    const r2 = importOutcomes(db, f);
    expect(r2).to.include({ imported: 0, duplicates: 5, drafts_updated: 0 });
    expect(armStates(db, 'seg')[0]).to.deep.equal(arm);
  });
  it('refuses bad rows with file, line and field; nothing imported', () => {
    const db = openStore(':memory:');
    insertDraft(db, 'd1', 'seg', 'excited/appearance/long');
    const cases: Array<[string, RegExp]> = [
      ['draft_id,event,timestamp\nd1,impression,2026-11-01T10:00:00Z\nd1,like,2026-11-01T10:00:00Z\n', /:3 \(field "event"\).*"like" is not one of impression, click, conversion/],
      ['draft_id,event,timestamp\nd9,click,2026-11-01T10:00:00Z\n', /:2 \(field "draft_id"\).*unknown draft "d9"/],
      ['draft_id,event,timestamp\nd1,click,yesterday\n', /:2 \(field "timestamp"\).*not a timestamp/],
      ['draft,event,timestamp\nd1,click,2026-11-01\n', /missing column "draft_id"/],
      ['', /file is empty/],
    ];
    cases.forEach(([text, re], i) => {
      const f = write(`bad${i}.csv`, text);
      expect(() => importOutcomes(db, f), text).to.throw(DataError, re);
    });
    expect((db.prepare('SELECT COUNT(*) AS n FROM outcomes').get() as { n: number }).n).to.equal(0);
  });
  it('--skip-bad imports the good rows and lists the bad ones', () => {
    const db = openStore(':memory:');
    insertDraft(db, 'd1', 'seg', 'excited/appearance/long');
    const f = write('mixed.csv', 'draft_id,event,timestamp\nd1,click,2026-11-01T10:00:00Z\nd2,click,2026-11-01T10:00:00Z\n');
    const r = importOutcomes(db, f, { skipBad: true });
    expect(r.imported).to.equal(1);
    expect(r.skipped).to.have.length(1);
    expect(r.skipped[0]).to.include({ line: 3, field: 'draft_id' });
  });
  it('timestamps: ISO 8601 or Unix seconds', () => {
    expect(parseTimestamp('2026-11-01T10:00:00Z')).to.equal('2026-11-01T10:00:00.000Z');
    expect(parseTimestamp('1793527200')).to.equal(new Date(1793527200 * 1000).toISOString());
    expect(() => parseTimestamp('2026-13-45')).to.throw();
  });
  it('outcomes and decisions add up on the same arm', () => {
    const db = openStore(':memory:');
    insertDraft(db, 'd1', 'seg', 'warm/texture/short');
    addReward(db, 'seg', 'warm/texture/short', 0, 0);
    recordDecision(db, 'd1', 'approved');
    importOutcomes(db, write('c.csv', 'draft_id,event,timestamp\nd1,impression,2026-11-01T10:00:00Z\nd1,click,2026-11-01T10:01:00Z\n'));
    const [arm] = armStates(db, 'seg');
    expect(arm.alpha).to.be.closeTo(2 + OUTCOME_WEIGHT, 1e-9);
    expect(arm.beta).to.be.closeTo(1, 1e-9);
  });
});

/**
 * End to end on the real parts: the demo store, the shipped models (models/mf,
 * models/sentiment, models/generator) and SQLite. No fakes here.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { openStore, decideDraft, recentDraftTexts } from '../core/store/db';
import type { Seq2SeqGenerator } from '../core/seq2seq/generator';
import { loadCopywriter, LoadedCopywriter } from '../core/copywriter/load';
import { recordDecision, armStates } from '../core/copywriter/strategy';
import { preferenceMention, reassuringRate, usersWithDoubts } from '../core/copywriter/evaluate';
import { findViolations } from '../core/compliance/check';
import { isNearDuplicate } from '../core/copywriter/similarity';
import { seededRng } from '../core/util/random';
import { TOP_PREFS } from '../core/copywriter/pipeline';
import { modelsDir, PROJECT_ROOT } from '../core/util/paths';

const MODELS = ['mf', 'sentiment', 'generator'];
const CLI = path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js');

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
}

describe('copywriter: end to end on the shipped models and the demo store', function () {
  let cw: LoadedCopywriter;
  const db = openStore(':memory:');

  before(async function () {
    const missing = MODELS.filter((m) => !fs.existsSync(path.join(modelsDir(), m)));
    if (missing.length) {
      // Until every model ships (they are built in parallel), say so instead of failing the suite.
      console.warn(`      (skipped: models/${missing.join(', models/')} not shipped yet)`);
      this.skip();
    }
    cw = await loadCopywriter({ db, pseudonymKey: 'e2e', overrides: { rng: seededRng(11) } });
  });

  it('loads the models in a few seconds', () => {
    expect(cw.loadSeconds.total).to.be.below(15); // the bench holds the 3 s target; this guards against regressions on a busy machine
  });

  it('drafts 3 personalised, compliant, different drafts with explanations, stored as pending', async () => {
    const userId = cw.store.users[0].user_id;
    const res = await cw.draft({ userId, n: 3 });
    expect(res.user).to.match(/^u_[0-9a-f]{12}$/);
    expect(res.drafts).to.have.length(3);
    const top = cw.deps.preference.tasteProfile(userId, TOP_PREFS).attributes.slice(0, TOP_PREFS).map((e) => e.value);
    for (const d of res.drafts) {
      expect(findViolations(d.text)).to.deep.equal([]);
      expect(d.text.length).to.be.greaterThan(15);
      expect(d.explanation).to.match(/^选品: /).and.not.contain(userId);
      const itemVals = new Set(cw.store.itemById.get(d.item_id)!.attributes.map((a) => a.value));
      const own = top.filter((v) => itemVals.has(v));
      if (own.length) expect(own.some((v) => d.text.includes(v)), `${d.text} should mention one of ${own}`).to.equal(true);
      const row = db.prepare('SELECT status, user_pseudonym FROM drafts WHERE id = ?').get(d.id) as { status: string; user_pseudonym: string };
      expect(row).to.deep.equal({ status: 'pending', user_pseudonym: res.user });
    }
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(isNearDuplicate(res.drafts[i].text, res.drafts[j].text)).to.equal(false);
  });

  it('a user who complained about a category gets the reassuring tone for an item of it', async () => {
    const r = await reassuringRate(cw, cw.store, 12, 0);
    expect(r.users).to.be.greaterThan(5);
    expect(r.rate).to.be.at.least(0.8);
  });

  it('mentions a top-3 preferred value in ≥ 80% of eligible drafts (12 users)', async () => {
    const users = cw.store.users.filter((_, i) => i % 83 === 1).map((u) => u.user_id);
    const m = await preferenceMention(cw, cw.store, users, 3);
    expect(m.eligible).to.be.greaterThan(5);
    expect(m.rate).to.be.at.least(0.8);
  });

  it('regenerate, edit and decisions work on real drafts and feed the bandit', async () => {
    const doubter = usersWithDoubts(cw.store)[0];
    const res = await cw.draft({ userId: doubter.userId, n: 2 });
    const fresh = await cw.regenerate(res.drafts[0].id, 'U-reviewer');
    expect(fresh.tone).to.equal(res.drafts[0].tone);
    const saved = cw.saveEdit(fresh.id, `${fresh.text}全网最低价！`, 'U-reviewer');
    expect(saved.saved).to.equal(true);
    expect(findViolations(saved.draft!.text)).to.deep.equal([]);
    expect(decideDraft(db, fresh.id, 'approved', 'U-reviewer')).to.equal(true);
    expect(recordDecision(db, fresh.id, 'approved')).to.equal(true);
    const seg = (db.prepare('SELECT segment, strategy FROM drafts WHERE id = ?').get(fresh.id) as { segment: string; strategy: string });
    const arm = armStates(db, seg.segment).find((a) => a.strategy === seg.strategy)!;
    expect(arm.alpha).to.equal(1.5); // edited then approved = 0.5
  });

  it('a copywriter opened on the same store starts with the stored drafts in its phrase memory (oldest first)', async () => {
    const texts = (db.prepare('SELECT text FROM drafts ORDER BY created_at, rowid').all() as Array<{ text: string }>).map((r) => r.text);
    expect(texts.length).to.be.greaterThan(3);
    expect(recentDraftTexts(db, 3)).to.deep.equal(texts.slice(-3));
    const again = await loadCopywriter({ db, pseudonymKey: 'e2e' });
    const memory = (again.deps.generator as Seq2SeqGenerator).memory;
    expect(memory.size).to.equal(texts.length);
    for (const t of texts) expect(memory.freshShare(t)).to.equal(0);
    expect(memory.freshShare('从未写过的句子：蓝鲸跃出冰川')).to.be.greaterThan(0.5);
  });

  it('CLI: `copydesk draft --json` prints the documented object; human output is readable; unknown user is one line', function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-cli-'));
    const dbFile = path.join(tmp, 'copydesk.db');
    const userId = cw.store.users[5].user_id;
    const j = cli(['draft', '--user', userId, '--n', '3', '--json', '--db', dbFile], { COPYDESK_PSEUDONYM_KEY: 'k' });
    expect(j.status, j.stderr).to.equal(0);
    const out = JSON.parse(j.stdout);
    expect(out.user).to.match(/^u_/);
    expect(j.stdout).to.not.contain(userId);
    expect(out.drafts).to.have.length(3);
    for (const d of out.drafts) {
      expect(d).to.have.all.keys('id', 'item_id', 'text', 'tone', 'strategy', 'score', 'compliance', 'explanation');
      expect(d.compliance).to.have.all.keys('ok', 'findings');
    }
    const h = cli(['draft', '--user', userId, '--n', '2', '--no-evidence', '--db', dbFile]);
    expect(h.status, h.stderr).to.equal(0);
    // The header names the id the marketer typed; the pseudonym stays in --json.
    expect(h.stdout.split('\n')[0]).to.contain(`用户 ${userId} 的草稿`);
    expect(h.stdout).to.contain('[1]').and.contain('[2]').and.contain('说明: 选品: ').and.not.match(/score|strategy|why:/);
    const bad = cli(['draft', '--user', 'no-such-user', '--db', dbFile], { COPYDESK_PSEUDONYM_KEY: 'k' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr.trim().split('\n').filter((l) => l.startsWith('copydesk:'))).to.deep.equal(['copydesk: unknown user "no-such-user"']);
    const badItem = cli(['draft', '--user', userId, '--item', 'SKU-0', '--db', dbFile]);
    expect(badItem.stderr).to.contain('copydesk: unknown item "SKU-0"');
  });
});

describe('copywriter CLI without models: check and outcomes', () => {
  it('CLI: `copydesk check` prints findings, exit 1; clean text exit 0', () => {
    const r = cli(['check', '--json', '这款裙子是全网最低价，国家级工艺。']);
    expect(r.status).to.equal(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.findings.map((f: { term: string }) => f.term)).to.deep.equal(['全网最低价', '国家级']);
    expect(cli(['check', '清爽透气的雪纺裙']).status).to.equal(0);
  });
  it('CLI: `copydesk outcomes import` validates with one clear line and imports idempotently', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-out-'));
    const dbFile = path.join(tmp, 'copydesk.db');
    const db = openStore(dbFile);
    db.prepare(`INSERT INTO drafts (id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score, compliance_json, explanation, created_at)
      VALUES ('d_1', 'u', 'u_x', 'i', 't', 'warm', 'warm/texture/short', 'cold', 0, '{}', '', '2026-01-01')`).run();
    db.close();
    const good = path.join(tmp, 'good.csv');
    fs.writeFileSync(good, 'draft_id,event,timestamp\nd_1,impression,2026-11-01T10:00:00Z\nd_1,click,2026-11-01T10:01:00Z\n');
    const r1 = cli(['outcomes', 'import', good, '--db', dbFile, '--json']);
    expect(r1.status, r1.stderr).to.equal(0);
    expect(JSON.parse(r1.stdout)).to.include({ imported: 2, duplicates: 0 });
    const r2 = cli(['outcomes', 'import', good, '--db', dbFile, '--json']);
    expect(JSON.parse(r2.stdout)).to.include({ imported: 0, duplicates: 2 });
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(bad, 'draft_id,event,timestamp\nd_1,purchase,2026-11-01T10:00:00Z\n');
    const r3 = cli(['outcomes', 'import', bad, '--db', dbFile]);
    expect(r3.status).to.equal(2);
    expect(r3.stderr.trim()).to.equal(`copydesk: ${bad}:2 (field "event"): "purchase" is not one of impression, click, conversion`);
  });
});

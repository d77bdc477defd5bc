/**
 * The phrasing bandit: reviewer decisions reward the template lines a draft holds (in its
 * segment's `phrasing:` arms), and the lines reviewers approve come first in later requests;
 * messages composed with it keep one register, measure words and proper endings.
 */
import { expect } from 'chai';
import { Db, openStore, nowIso } from '../core/store/db';
import { recordDecision, armStates } from '../core/copywriter/strategy';
import { phrasingChooser, phrasingSegment, usedPhrasings, armKey, literalOf } from '../core/copywriter/phrasing';
import { composeMessage, defaultTemplates, fixMeasureWords, toRegister, loadTemplates } from '../core/copywriter/templates';
import { seededRng } from '../core/util/random';

function insertDraft(db: Db, id: string, segment: string, text: string): void {
  db.prepare(`INSERT INTO drafts (id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score, compliance_json, explanation, created_at)
    VALUES (?, 'u1', 'u_x', 'i1', ?, 'warm', 'warm/appearance/medium', ?, 0, '{}', '', ?)`).run(id, text, segment, nowIso());
}

describe('phrasing bandit', () => {
  const t = defaultTemplates();
  const compose = (db: Db, segment: string, seed: number, draft = 0) =>
    composeMessage(t, { tone: 'warm', length: 'medium', body: '雪纺面料轻盈透气', title: 't', category: '裙', pref: ['雪纺'], variant: draft, visitor: 'returning', choose: phrasingChooser(db, segment, seededRng(seed)) });

  it('a decision rewards exactly the lines the draft holds, in the phrasing segment', () => {
    const db = openStore(':memory:');
    const text = compose(db, 'seg:a', 1);
    const used = usedPhrasings(text, t);
    expect(used.length).to.be.at.least(2); // preference and call to action at least
    insertDraft(db, 'd1', 'seg:a', text);
    recordDecision(db, 'd1', 'approved');
    const arms = armStates(db, phrasingSegment('seg:a'));
    expect(arms.map((a) => a.strategy).sort()).to.deep.equal([...used].sort());
    for (const a of arms) expect([a.alpha, a.beta]).to.deep.equal([2, 1]);
    expect(armStates(db, 'seg:a').map((a) => a.strategy)).to.deep.equal(['warm/appearance/medium']);
  });

  it('lines reviewers approve come first; rejected ones fall back (per segment)', () => {
    const db = openStore(':memory:');
    const good = t.cta.warm[2];
    let n = 0;
    for (let round = 0; round < 40; round++) {
      const text = compose(db, 'seg:b', 100 + round);
      insertDraft(db, `d${++n}`, 'seg:b', text);
      recordDecision(db, `d${n}`, text.includes(literalOf(good)) ? 'approved' : 'rejected');
    }
    let first = 0;
    for (let k = 0; k < 50; k++) if (compose(db, 'seg:b', 1000 + k).includes(literalOf(good))) first++;
    expect(first).to.be.at.least(40);
    // Another segment has learned nothing: the line is one of four.
    let other = 0;
    for (let k = 0; k < 200; k++) if (compose(db, 'seg:c', 2000 + k).includes(literalOf(good))) other++;
    expect(other).to.be.within(20, 90);
    expect(armKey('cta.warm', good)).to.contain('cta.warm|');
  });

  it('drafts of one request take different lines', () => {
    const db = openStore(':memory:');
    const choose = phrasingChooser(db, 'seg:d', seededRng(5));
    const lines = t.cta.warm;
    expect(new Set([0, 1, 2, 3].map((k) => choose('cta.warm', lines, k))).size).to.equal(lines.length);
  });
});

describe('message composition', () => {
  it('measure words follow the category noun; the register is the brand\'s', () => {
    expect(fixMeasureWords('这件裤子很好看，这件鞋子也是，一件T恤，这款裙子')).to.equal('这条裤子很好看，这双鞋子也是，一件T恤，这款裙子');
    expect(toRegister('您好，适合你的', '你')).to.equal('你好，适合你的');
    expect(toRegister('你好，适合你们', '您')).to.equal('您好，适合大家');
    const t = defaultTemplates();
    for (const [category, w] of Object.entries(t.categories)) {
      const msg = composeMessage(t, { tone: 'warm', length: 'medium', body: '好看', title: 't', category, pref: ['雪纺'], variant: 0, offers: ['包邮'] });
      expect(msg).to.contain(`这${w.mw}${w.noun}`);
    }
  });
  it('first-time, returning and lapsed users are greeted differently; offers only when the item has one', () => {
    const t = defaultTemplates();
    const base = { tone: 'warm' as const, length: 'medium' as const, body: '雪纺面料轻盈透气，', title: 't', category: '裙', pref: [], variant: 0 };
    const first = composeMessage(t, { ...base, visitor: 'first' });
    const lapsed = composeMessage(t, { ...base, visitor: 'lapsed' });
    expect(first).to.not.contain('好久不见');
    expect(lapsed).to.contain('好久不见');
    expect(first).to.contain('雪纺面料轻盈透气。'); // the copy's trailing "，" ends as a sentence
    expect(composeMessage(t, { ...base, body: '帅气洒脱的活力风，。上身好看，，显瘦' })).to.contain('活力风。上身好看，显瘦。');
    expect(t.offer.some((l) => first.includes(literalOf(l)))).to.equal(false);
    expect(composeMessage(t, { ...base, offers: ['满199减20'] })).to.contain('满199减20');
  });
  it('a 您 brand gets 您 throughout, the copy included', () => {
    const fs = require('fs') as typeof import('fs');
    const path = require('path') as typeof import('path');
    const os = require('os') as typeof import('os');
    const raw = JSON.parse(fs.readFileSync(defaultTemplates().file, 'utf8'));
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cd-reg-')), 't.json');
    fs.writeFileSync(f, JSON.stringify({ ...raw, register: '您' }));
    const t = loadTemplates(f);
    const msg = composeMessage(t, { tone: 'reassuring', length: 'medium', body: '让你穿着更舒适', title: 't', category: '上衣', pref: ['棉'], doubtAspect: '尺码', variant: 1 });
    expect(msg).to.contain('您').and.not.contain('你');
  });
});

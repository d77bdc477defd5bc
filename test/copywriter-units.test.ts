/**
 * The pipeline's own logic, isolated from the models with small hand-made ports:
 * tone from doubts, dedupe, compliance on what the generator writes, storage,
 * regenerate, edits, pseudonyms. (test/copywriter.test.ts runs the real models.)
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openStore } from '../core/store/db';
import { createCopywriter, explain, segmentOf } from '../core/copywriter/pipeline';
import type { CatalogItem, GeneratorPort, PreferencePort, SentimentPort, StorePort, TasteProfile } from '../core/domain/ports';
import { UnknownEntityError, InvalidRequestError, DraftStateError } from '../core/domain/types';
import { seededRng } from '../core/util/random';
import { bigramJaccard, isNearDuplicate, pickDiverse, NEAR_DUPLICATE_THRESHOLD } from '../core/copywriter/similarity';
import { loadTemplates, composeMessage, defaultTemplates } from '../core/copywriter/templates';
import { isCompliant, findViolations } from '../core/compliance/check';
import { defaultRules } from '../core/compliance/rules';
import { DataError } from '../core/data/errors';
import { pseudonymize, pseudonymKey, DEV_PSEUDONYM_KEY } from '../core/privacy/pseudonym';

const ITEMS: CatalogItem[] = [
  { itemId: 'i1', title: '雪纺碎花连衣裙', category: '连衣裙', attributes: [{ key: '类型', value: '裙' }, { key: '材质', value: '雪纺' }, { key: '风格', value: '清新' }, { key: '颜色', value: '白色' }], price: 199 },
  { itemId: 'i2', title: '牛仔阔腿裤', category: '裤子', attributes: [{ key: '类型', value: '裤' }, { key: '材质', value: '牛仔布' }, { key: '风格', value: '休闲' }], price: 159 },
  { itemId: 'i3', title: '白色衬衫', category: '衬衫', attributes: [{ key: '类型', value: '上衣' }, { key: '颜色', value: '白色' }], price: 99 },
];

function fakeStore(): StorePort {
  const reviews: Record<string, Array<{ itemId: string; text: string; rating: number }>> = {
    u1: [{ itemId: 'i1', text: '裙子好看但是尺码偏小，要买大一码', rating: 2 }],
    u2: [],
    u3: [{ itemId: 'i2', text: '裤子尺码偏小', rating: 2 }],
  };
  return {
    hasUser: (u) => u in reviews,
    item: (id) => ITEMS.find((i) => i.itemId === id),
    reviewsBy: (u) => reviews[u] ?? [],
    boughtBy: (u) => new Set(u === 'u1' ? ['i3'] : []),
  };
}

const fakePreference: PreferencePort = {
  recommend: () => [{ itemId: 'i3', score: 0.9 }, { itemId: 'i1', score: 0.8 }, { itemId: 'i2', score: 0.1 }],
  score: () => 0.5,
  tasteProfile: (userId): TasteProfile => ({
    userId,
    attributes: [
      { key: '材质', value: '雪纺', score: 0.9, evidence: [{ itemId: 'i9', event: 'buy' }, { itemId: 'i8', event: 'buy' }] },
      { key: '风格', value: '清新', score: 0.7, evidence: [{ itemId: 'i9', event: 'buy' }, { itemId: 'i7', event: 'view' }] },
      { key: '颜色', value: '黑色', score: 0.5, evidence: [] },
    ],
    categories: [{ key: 'category', value: '连衣裙', score: 0.9, evidence: [] }],
    coldStart: false,
  }),
};

const fakeSentiment: SentimentPort = {
  analyze: async (texts) => texts.map((t) => ({
    label: t.includes('偏小') ? 'negative' : 'positive',
    probability: t.includes('偏小') ? 0.1 : 0.9,
    aspects: t.includes('偏小') ? [{ aspect: '尺码', polarity: 'negative' as const, evidence: '尺码偏小' }] : [],
  })),
};

/** Writes from a few phrase pools; `dirty` mixes in forbidden terms; `dupes` returns near-identical candidates. */
function fakeGenerator(opts: { dirty?: boolean; dupes?: boolean } = {}): GeneratorPort & { calls: number } {
  const pools = ['轻盈飘逸的{v}面料，穿上去清爽透气', '{v}材质柔软亲肤，夏天穿很舒服', '这款{v}单品版型利落，日常通勤都合适', '精致的{v}设计，细节处见用心', '{v}元素点缀，气质温柔又大方'];
  const g = {
    calls: 0,
    async generate(req: { attrs: string; n: number; seed?: number; prefer?: string[] }) {
      g.calls++;
      const v = req.prefer?.[0] ?? req.attrs.split('*')[1]?.split('#')[1] ?? '百搭';
      const out = [];
      for (let i = 0; i < req.n; i++) {
        const k = opts.dupes ? 0 : ((req.seed ?? 0) + i) % pools.length;
        let text = pools[k].replace('{v}', v);
        if (opts.dirty) text = `全网最低价！最美${text}，国家级工艺，穿上就能减肥`;
        out.push({ text, score: 1 - i * 0.1 });
      }
      return out;
    },
  };
  return g;
}

function copywriter(gen: GeneratorPort = fakeGenerator(), seed = 7) {
  const db = openStore(':memory:');
  const cw = createCopywriter({ store: fakeStore(), preference: fakePreference, sentiment: fakeSentiment, generator: gen, db, pseudonymKey: 'test-key', rng: seededRng(seed) });
  return { cw, db };
}

describe('copywriter: near-duplicate similarity', () => {
  it('scores identical texts 1, disjoint 0, and one changed word above the threshold', () => {
    expect(bigramJaccard('雪纺连衣裙清新淡雅', '雪纺连衣裙清新淡雅')).to.equal(1);
    expect(bigramJaccard('雪纺连衣裙', '牛仔阔腿裤')).to.equal(0);
    const a = '这款雪纺连衣裙轻盈飘逸，穿上去清爽透气，夏天必备。';
    expect(isNearDuplicate(a, a.replace('必备', '首推'))).to.equal(true);
    expect(isNearDuplicate(a, '牛仔阔腿裤版型挺括，显高显瘦，通勤周末都能穿。')).to.equal(false);
    expect(NEAR_DUPLICATE_THRESHOLD).to.be.within(0.4, 0.8);
  });
  it('ignores punctuation and spaces', () => {
    expect(bigramJaccard('雪纺，连衣裙！', '雪纺 连衣裙')).to.equal(1);
  });
  it('pickDiverse skips near-duplicates, keeps order', () => {
    const got = pickDiverse(['雪纺连衣裙轻盈飘逸很好看', '雪纺连衣裙轻盈飘逸真好看', '牛仔裤版型挺括显高显瘦'], 3, (s) => s);
    expect(got).to.deep.equal(['雪纺连衣裙轻盈飘逸很好看', '牛仔裤版型挺括显高显瘦']);
  });
});

describe('copywriter: message templates', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-tpl-'));
  const write = (obj: unknown) => {
    const f = path.join(tmp, `t${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
    return f;
  };
  const good = JSON.parse(fs.readFileSync(path.join(__dirname, '../core/copywriter/templates.json'), 'utf8'));

  it('the shipped file loads and every line of it is compliant', () => {
    const t = defaultTemplates();
    const lines = [...Object.values(t.greeting).flatMap((g) => Object.values(g).flat()), ...t.preference, ...Object.values(t.doubt).flat(), ...Object.values(t.cta).flat(), ...t.offer];
    for (const l of lines) expect(isCompliant(l.replace(/\{\w+\}/g, '')), l).to.equal(true);
  });
  it('refuses a bad file naming the file and the field', () => {
    const cases: Array<[unknown, string]> = [
      ['{not json', 'not valid JSON'],
      [{ ...good, cta: { ...good.cta, warm: [] } }, 'cta.warm'],
      [{ ...good, greeting: { ...good.greeting, sarcastic: ['hi'] } }, 'greeting.sarcastic'],
      [{ ...good, greeting: { ...good.greeting, first: { ...good.greeting.first, spooky: ['hi'] } } }, 'greeting.first.spooky'],
      [{ ...good, preference: ['{you}喜欢{colour}'] }, 'unknown placeholder {colour}'],
      [{ ...good, preference: ['你喜欢{pref}'] }, 'preference[0]'],
      [{ ...good, register: '汝' }, 'register'],
      [{ ...good, categories: { 裙: { noun: '裙子', mw: '条' } } }, 'categories.default'],
      [{ ...good, categories: { ...good.categories, 鞋: { noun: '鞋', mw: 'pair' } } }, 'categories.鞋.mw'],
      [{ ...good, offer: ['今日下单包邮。'] }, 'offer[0]'],
      [{ ...good, cta: { ...good.cta, warm: ['喜欢就带它回家，'] } }, 'cta.warm[0]'],
      [{ ...good, preference: ['{offer}'] }, 'preference[0]'],
      [{ ...good, doubt: { 尺码: ['x'] } }, 'doubt.default'],
    ];
    for (const [obj, needle] of cases) {
      const f = write(obj);
      let err: unknown;
      try { loadTemplates(f); } catch (e) { err = e; }
      expect(err, needle).to.be.instanceOf(DataError);
      expect((err as Error).message).to.contain(f).and.contain(needle);
    }
  });
  it('composes greeting, preference, body, doubt answer and call to action', () => {
    const msg = composeMessage(defaultTemplates(), { tone: 'reassuring', length: 'medium', body: '雪纺面料轻盈透气', title: '连衣裙', category: '连衣裙', pref: ['雪纺'], doubtAspect: '尺码', variant: 0 });
    expect(msg).to.contain('雪纺面料轻盈透气').and.contain('尺码').and.contain(defaultTemplates().cta.reassuring[3 % defaultTemplates().cta.reassuring.length]);
    expect(msg.startsWith(defaultTemplates().greeting.returning.reassuring[0].replace('{you}', '你'))).to.equal(true);
  });
});

describe('copywriter: pipeline (hand-made ports)', () => {
  it('answers a doubt the user voiced about the same category with the reassuring tone', async () => {
    const { cw } = copywriter();
    const res = await cw.draft({ userId: 'u1', itemId: 'i1', n: 3 });
    expect(res.drafts).to.have.length(3);
    for (const d of res.drafts) {
      expect(d.tone).to.equal('reassuring');
      expect(d.strategy.startsWith('reassuring/')).to.equal(true);
      expect(d.text).to.contain('尺码');
      expect(d.explanation).to.contain('顾虑: 尺码「尺码偏小」').and.contain('含该用户偏好的雪纺、清新（买过 2 件同类）');
    }
  });
  it('a doubt about another category does not force the tone; a requested tone wins', async () => {
    const { cw } = copywriter();
    const res = await cw.draft({ userId: 'u3', itemId: 'i1', n: 2, tone: 'excited' });
    expect(res.drafts.map((d) => d.tone)).to.deep.equal(['excited', 'excited']);
    expect(res.drafts[0].explanation).to.not.contain('顾虑');
  });
  it('without an item, drafts the top-ranked item the user has not bought', async () => {
    const { cw } = copywriter();
    const res = await cw.draft({ userId: 'u1', n: 1 });
    expect(res.drafts[0].item_id).to.equal('i1'); // i3 is bought
  });
  it('never returns two near-duplicates, even from a generator that repeats itself', async () => {
    const { cw } = copywriter(fakeGenerator({ dupes: true }));
    const res = await cw.draft({ userId: 'u2', itemId: 'i2', n: 3 });
    const texts = res.drafts.map((d) => d.text);
    expect(texts).to.have.length(1); // the same copy in a different greeting is still the same copy
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) expect(isNearDuplicate(texts[i], texts[j]), `${texts[i]} / ${texts[j]}`).to.equal(false);
  });
  it('rewrites forbidden terms the generator writes, and records the findings', async () => {
    const { cw } = copywriter(fakeGenerator({ dirty: true }));
    const res = await cw.draft({ userId: 'u2', itemId: 'i1', n: 2 });
    expect(res.drafts.length).to.be.greaterThan(0);
    for (const d of res.drafts) {
      expect(isCompliant(d.text), d.text).to.equal(true);
      expect(d.compliance.ok).to.equal(true);
      expect(d.compliance.findings.map((f) => f.term)).to.include.members(['全网最低价', '最美', '国家级', '减肥']);
      expect(d.explanation).to.contain('合规改写');
    }
  });
  it('fuzz: a generator writing random forbidden text never gets a violating draft through (300 requests)', async () => {
    const rng = seededRng(99);
    const terms = defaultRules().terms.map((t) => t.term);
    const filler = ['雪纺', '连衣裙', '清新', '面料', '柔软', '透气', '很', '穿上', '好看', '，', '。', '！', ' '];
    const pick = <T>(a: T[]) => a[Math.floor(rng.next() * a.length)];
    const noisy: GeneratorPort = {
      async generate(req) {
        return Array.from({ length: req.n }, () => {
          let t = '';
          for (let k = 0, len = 4 + Math.floor(rng.next() * 25); k < len; k++) t += rng.next() < 0.45 ? pick(terms) : pick(filler);
          return { text: t, score: rng.next() };
        });
      },
    };
    const { cw } = copywriter(noisy, 5);
    let offered = 0;
    for (let i = 0; i < 300; i++) {
      const res = await cw.draft({ userId: pick(['u1', 'u2', 'u3']), itemId: pick(['i1', 'i2', 'i3']), n: 3 });
      for (const d of res.drafts) {
        offered++;
        expect(findViolations(d.text), d.text).to.deep.equal([]);
        expect(d.compliance.ok).to.equal(true);
      }
    }
    expect(offered).to.be.greaterThan(100);
  });
  it('stores request, drafts (pending) and version 1; output carries the pseudonym only', async () => {
    const { cw, db } = copywriter();
    const res = await cw.draft({ userId: 'u1', itemId: 'i1', n: 2, source: { kind: 'slack', requestedBy: 'U123', channel: 'C1' } });
    expect(res.user).to.equal(pseudonymize('u1', 'test-key')).and.not.contain('u1');
    expect(JSON.stringify(res)).to.not.match(/"u1"/);
    const req = db.prepare('SELECT * FROM requests WHERE id = ?').get(res.request_id) as { source: string; requested_by: string };
    expect(req.source).to.equal('slack');
    const rows = db.prepare('SELECT * FROM drafts WHERE request_id = ?').all(res.request_id) as Array<{ status: string; user_pseudonym: string; text: string; id: string }>;
    expect(rows).to.have.length(2);
    for (const r of rows) {
      expect(r.status).to.equal('pending');
      expect(r.user_pseudonym).to.equal(res.user);
      const v = db.prepare('SELECT text FROM draft_versions WHERE draft_id = ? AND version = 1').get(r.id) as { text: string };
      expect(v.text).to.equal(r.text);
    }
  });
  it('--no-evidence drops the review snippet from explanations', async () => {
    const { cw } = copywriter();
    const res = await cw.draft({ userId: 'u1', itemId: 'i1', n: 1, noEvidence: true });
    expect(res.drafts[0].explanation).to.contain('顾虑: 尺码').and.not.contain('偏小');
  });
  it('unknown user or item and a bad n are refused with a clear error', async () => {
    const { cw } = copywriter();
    let e: unknown;
    try { await cw.draft({ userId: 'nobody' }); } catch (x) { e = x; }
    expect(e).to.be.instanceOf(UnknownEntityError);
    expect((e as UnknownEntityError).kind).to.equal('user');
    e = undefined;
    try { await cw.draft({ userId: 'u1', itemId: 'nope' }); } catch (x) { e = x; }
    expect((e as UnknownEntityError).kind).to.equal('item');
    e = undefined;
    try { await cw.draft({ userId: 'u1', n: 9 }); } catch (x) { e = x; }
    expect(e).to.be.instanceOf(InvalidRequestError);
  });
  it('regenerate supersedes the draft exactly once and returns a different one', async () => {
    const { cw, db } = copywriter();
    const res = await cw.draft({ userId: 'u1', itemId: 'i1', n: 2 });
    const old = res.drafts[0];
    const fresh = await cw.regenerate(old.id, 'U1');
    expect(fresh.id).to.not.equal(old.id);
    for (const d of res.drafts) expect(isNearDuplicate(fresh.text, d.text)).to.equal(false);
    expect((db.prepare('SELECT status FROM drafts WHERE id = ?').get(old.id) as { status: string }).status).to.equal('superseded');
    expect((db.prepare('SELECT supersedes FROM drafts WHERE id = ?').get(fresh.id) as { supersedes: string }).supersedes).to.equal(old.id);
    let e: unknown;
    try { await cw.regenerate(old.id, 'U1'); } catch (x) { e = x; }
    expect(e).to.be.instanceOf(DraftStateError);
  });
  it('an edit is compliance-rewritten and stored as version 2, the original kept', async () => {
    const { cw, db } = copywriter();
    const res = await cw.draft({ userId: 'u1', itemId: 'i1', n: 1 });
    const d = res.drafts[0];
    const check = cw.checkEdit('这是最好的雪纺裙，国家级品质。夏天穿清爽透气。');
    expect(check.ok).to.equal(false);
    expect(check.findings.map((f) => f.term)).to.deep.equal(['最好', '国家级']);
    const saved = cw.saveEdit(d.id, '这是最好的雪纺裙，国家级品质。夏天穿清爽透气。', 'U9');
    expect(saved.saved).to.equal(true);
    expect(saved.draft!.text).to.equal('这是很好的雪纺裙。夏天穿清爽透气。');
    const versions = db.prepare('SELECT version, text, edited_by FROM draft_versions WHERE draft_id = ? ORDER BY version').all(d.id) as Array<{ version: number; text: string; edited_by: string }>;
    expect(versions.map((v) => v.version)).to.deep.equal([1, 2]);
    expect(versions[0].text).to.equal(d.text);
    expect(versions[1].edited_by).to.equal('U9');
    expect(cw.saveEdit(d.id, '国家级', 'U9').saved).to.equal(false);
  });
  it('the bandit segment: the store segment, else the top category, else cold', () => {
    const taste = fakePreference.tasteProfile('u1');
    expect(segmentOf(taste, '学生党')).to.equal('seg:学生党');
    expect(segmentOf(taste)).to.equal('cat:连衣裙');
    expect(segmentOf({ ...taste, coldStart: true })).to.equal('cold');
  });
  it('explanations read in one line', () => {
    const line = explain({ prefs: [{ key: '材质', value: '雪纺', score: 1, evidence: [{ itemId: 'a', event: 'buy' }] }], taste: fakePreference.tasteProfile('u'), doubt: { aspect: '尺码', evidence: '尺码偏小', category: '裙', itemId: 'x', confidence: 0.9 }, tone: 'reassuring', toneReason: 'doubt', compliance: 0 });
    // Chinese, no strategy id or score (those stay in --json).
    expect(line).to.equal('选品: 含该用户偏好的雪纺（买过 1 件同类）；顾虑: 尺码「尺码偏小」 → 安心语气（回应顾虑）');
    expect(line).to.not.contain('\n');
  });
});

describe('privacy: pseudonyms', () => {
  it('keyed HMAC: stable per key, different across keys, not the raw id', () => {
    expect(pseudonymize('u-381', 'k1')).to.equal(pseudonymize('u-381', 'k1'));
    expect(pseudonymize('u-381', 'k1')).to.not.equal(pseudonymize('u-381', 'k2'));
    expect(pseudonymize('u-381', 'k1')).to.match(/^u_[0-9a-f]{12}$/);
  });
  it('uses COPYDESK_PSEUDONYM_KEY, else the labelled dev key with a single warning', () => {
    expect(pseudonymKey({ COPYDESK_PSEUDONYM_KEY: 'secret' })).to.equal('secret');
    const warnings: string[] = [];
    const k1 = pseudonymKey({}, (m) => warnings.push(m));
    const k2 = pseudonymKey({}, (m) => warnings.push(m));
    expect(k1).to.equal(DEV_PSEUDONYM_KEY).and.equal(k2).and.contain('DEV');
    expect(warnings.length).to.be.at.most(1);
  });
});

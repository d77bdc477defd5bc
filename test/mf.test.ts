import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { toRatings, trainExplicit, rmseOn } from '../core/mf/explicit';
import { trainBayes } from '../core/mf/bayes';
import { toPairs, trainImplicit, itemFeatures } from '../core/mf/implicit';
import { loadInteractions, fromStore } from '../core/mf/data';
import { trainModel, evalExplicit, evalLeaveLast } from '../core/mf/train';
import { PreferenceModel } from '../core/mf/model';
import { loadPreferenceModel } from '../core/mf/index';
import { leaveLast } from '../core/mf/split';
import { rankingMetrics } from '../core/mf/metrics';
import { topK } from '../core/mf/rank';
import { tasteRecovery } from '../core/mf/taste';
import { DataError } from '../core/data/errors';
import { loadStore } from '../core/data/store';
import { lowRankRatings, tmpDir, writeTinyStore } from './mf-helpers';

function heldOut(model: ReturnType<typeof trainBayes>, test: Array<{ user: string; item: string; value: number }>): number {
  const t = toRatings(test, model.users, model.items);
  return rmseOn(model, t);
}

describe('mf: explicit', () => {
  const { train, test } = lowRankRatings(60, 50, 3, 0.5);
  const sd = Math.sqrt(test.reduce((s, r) => s + (r.value - 3) ** 2, 0) / test.length);

  it('SGD training loss decreases and early stopping keeps the best validation epoch', () => {
    const res = trainExplicit(toRatings(train), { factors: 3, epochs: 40, lr: 0.02, reg: 0.01, minRating: -10, maxRating: 20 });
    const losses = res.history.map((h) => h.loss);
    expect(losses[losses.length - 1]).to.be.lessThan(losses[0] * 0.6);
    const best = Math.min(...res.history.map((h) => h.validRmse!));
    expect(res.history[res.bestEpoch - 1].validRmse).to.equal(best);
  });

  it('recovers a synthetic low-rank matrix (Gibbs sampler and SGD)', () => {
    const bayes = trainBayes(toRatings(train), { factors: 3, sweeps: 40, burnIn: 10, minRating: -10, maxRating: 20 });
    const rB = heldOut(bayes, test);
    const sgd = trainExplicit(toRatings(train), { factors: 3, epochs: 200, lr: 0.05, lrBias: 0.05, reg: 0.01, decay: 0.99, patience: 10, minRating: -10, maxRating: 20 }).model;
    const rS = heldOut(sgd, test);
    expect(sd).to.be.greaterThan(0.8);
    expect(rB, 'bayes held-out RMSE').to.be.lessThan(0.15);
    expect(rS, 'sgd held-out RMSE').to.be.lessThan(0.25);
  });

  it('is reproducible with a seed', () => {
    const a = trainBayes(toRatings(train), { factors: 2, sweeps: 5, burnIn: 1, seed: 7 });
    const b = trainBayes(toRatings(train), { factors: 2, sweeps: 5, burnIn: 1, seed: 7 });
    const c = trainBayes(toRatings(train), { factors: 2, sweeps: 5, burnIn: 1, seed: 8 });
    expect(Array.from(a.P)).to.deep.equal(Array.from(b.P));
    expect(Array.from(a.P)).to.not.deep.equal(Array.from(c.P));
  });
});

describe('mf: implicit, profiles, persistence', function () {
  this.timeout(60000);
  let dir: string;
  let model: PreferenceModel;
  let tastes: Map<string, string[]>;

  before(() => {
    dir = tmpDir();
    tastes = writeTinyStore(path.join(dir, 'store')).tastes;
    model = trainModel(loadInteractions(path.join(dir, 'store'), 'store'), { implicit: true, factors: 8, epochs: 15 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('BPR loss decreases', () => {
    const data = loadInteractions(path.join(dir, 'store'), 'store');
    const pairs = toPairs(data.rows);
    const losses: number[] = [];
    trainImplicit(pairs, itemFeatures(pairs.items, data.items), { factors: 8, epochs: 10 }, (e) => losses.push(e.loss));
    expect(losses[9]).to.be.lessThan(losses[0]);
  });

  it('ranks liked items first and recovers the tastes in the profile', () => {
    const user = 'u0'; // likes 白色 and 棉
    expect(model.recommend(user, 5)).to.have.length(5);
    const store = loadStore(path.join(dir, 'store'));
    // half the catalogue has a liked colour or material; the top 5 should be mostly those
    let liked = 0;
    for (let u = 0; u < 12; u++) {
      const want = tastes.get(`u${u}`)!;
      liked += model.recommend(`u${u}`, 5).filter((r) => store.itemById.get(r.itemId)!.attributes.some((x) => want.includes(`${x.key}#${x.value}`))).length;
    }
    expect(liked / 12).to.be.greaterThan(4);
    const p = model.tasteProfile(user, 5);
    expect(p.coldStart).to.equal(false);
    const top = p.attributes.slice(0, 3).map((e) => `${e.key}#${e.value}`);
    expect(top).to.include.members(tastes.get(user)!);
    expect(p.attributes[0].evidence.length).to.be.greaterThan(0);
    expect(p.attributes.every((e) => e.key !== '类型')).to.equal(true);
    const hidden = Object.fromEntries([...tastes].map(([u, t]) => [u, { top: t.map((kv) => ({ key: kv.split('#')[0], value: kv.split('#')[1], weight: 1 })), categories: [] }]));
    const rec = tasteRecovery(model, hidden, { hidden: 2, shown: 3 });
    expect(rec.recovery).to.be.greaterThan(0.8);
  });

  it('saves and loads: same scores, recommendations and profiles', () => {
    const out = path.join(dir, 'model');
    model.save(out);
    const back = loadPreferenceModel(out);
    for (const [u, i] of [['u1', 'SKU-3'], ['u7', 'SKU-20'], ['nobody', 'SKU-1']]) expect(back.score(u, i)).to.be.closeTo(model.score(u, i), 1e-4);
    expect(back.recommend('u3', 5).map((r) => r.itemId)).to.deep.equal(model.recommend('u3', 5).map((r) => r.itemId));
    expect(back.tasteProfile('u3', 5).attributes.map((e) => e.value)).to.deep.equal(model.tasteProfile('u3', 5).attributes.map((e) => e.value));
  });

  it('refuses a missing or corrupt model with a DataError', () => {
    expect(() => loadPreferenceModel(path.join(dir, 'nothing'))).to.throw(DataError, /no preference model/);
    const bad = path.join(dir, 'bad');
    model.save(bad);
    fs.writeFileSync(path.join(bad, 'weights.bin'), Buffer.alloc(8));
    expect(() => loadPreferenceModel(bad)).to.throw(DataError, /bytes/);
  });

  it('cold start: a new user gets popularity + attribute priors, a new item a vector from its attributes', () => {
    const recs = model.recommend('brand-new', 3);
    expect(recs).to.have.length(3);
    const p = model.tasteProfile('brand-new', 3);
    expect(p.coldStart).to.equal(true);
    expect(p.attributes).to.have.length(3);
    // a new item made of u0's liked values vs one made of values u0 never goes for
    const store = loadStore(path.join(dir, 'store'));
    const data = fromStore(store);
    const items = new Map(data.items);
    items.set('NEW-LIKED', { category: '裙', attributes: [['类型', '裙'], ['颜色', '白色'], ['材质', '棉']] });
    items.set('NEW-OTHER', { category: '裙', attributes: [['类型', '裙'], ['颜色', '红色'], ['材质', '牛仔']] });
    const m2 = model.withData(data.rows, items);
    const v = m2.itemVector('NEW-LIKED')!;
    expect(v.cold).to.equal(true);
    expect(m2.score('u0', 'NEW-LIKED')).to.be.greaterThan(m2.score('u0', 'NEW-OTHER'));
    expect(Number.isFinite(m2.score('u0', 'NO-SUCH-ITEM'))).to.equal(true);
  });

  it('leave-last evaluation beats popularity on data with tastes', () => {
    const r = evalLeaveLast(loadInteractions(path.join(dir, 'store'), 'store'), { factors: 8, epochs: 15 });
    expect(r.n).to.be.greaterThan(30);
    expect(r.ndcg10).to.be.greaterThan(r.baseline.ndcg10);
  });
});

describe('mf: splits, metrics, errors', () => {
  it('leave-last holds out the latest cart/buy and drops that item and later events from train', () => {
    const rows = [
      { user: 'a', item: 'x', event: 'view' as const, value: 1, timestamp: 1 },
      { user: 'a', item: 'y', event: 'cart' as const, value: 1, timestamp: 2 },
      { user: 'a', item: 'z', event: 'view' as const, value: 1, timestamp: 3 },
      { user: 'a', item: 'z', event: 'buy' as const, value: 1, timestamp: 4 },
      { user: 'a', item: 'w', event: 'view' as const, value: 1, timestamp: 5 },
      { user: 'b', item: 'z', event: 'view' as const, value: 1, timestamp: 9 },
      { user: 'c', item: 'q', event: 'buy' as const, value: 1, timestamp: 1 },
    ];
    const s = leaveLast(rows);
    expect([...s.test]).to.deep.equal([['a', 'z']]);
    expect(s.train.map((r) => `${r.user}${r.item}`)).to.deep.equal(['ax', 'ay', 'bz']);
  });

  it('ranking metrics match a hand computation', () => {
    const m = rankingMetrics([{ relevant: new Set(['b', 'z']), ranked: ['a', 'b', 'c'] }, { relevant: new Set(['q']), ranked: ['x'] }]);
    expect(m.hit10).to.equal(0.5);
    expect(m.precision10).to.be.closeTo(0.05, 1e-12);
    expect(m.recall10).to.be.closeTo(0.25, 1e-12);
    expect(m.ndcg10).to.be.closeTo((1 / Math.log2(3) / (1 + 1 / Math.log2(3))) / 2, 1e-12);
    expect(topK(Float64Array.from([0.1, 0.9, 0.5, 0.7]), 2, new Set([1]))).to.deep.equal([3, 2]);
  });

  it('malformed inputs give DataErrors naming file, line and field', () => {
    const dir = tmpDir();
    const ml = path.join(dir, 'u1.base');
    fs.writeFileSync(ml, '1\t2\t4\t880000000\n1\t3\tseven\t880000001\n');
    try {
      loadInteractions(ml, 'movielens');
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(DataError);
      const d = e as DataError;
      expect([d.file, d.line, d.field]).to.deep.equal([ml, 2, 'rating']);
    }
    const tb = path.join(dir, 'tb.csv');
    fs.writeFileSync(tb, 'user_id,item_id,category_id,behavior,timestamp\n1,2,3,pv,10\n1,2,3,like,11\n');
    expect(() => loadInteractions(tb, 'taobao')).to.throw(DataError, /tb\.csv:3 \(field "behavior"\)/);
    expect(loadInteractions(tb, 'taobao', { skipBad: true }).skipped).to.have.length(1);
    expect(() => loadInteractions(path.join(dir, 'missing.csv'), 'taobao')).to.throw(DataError, /file not found/);
    const onlyViews = path.join(dir, 'views.csv');
    fs.writeFileSync(onlyViews, 'user_id,item_id,category_id,behavior,timestamp\n1,2,3,pv,10\n');
    expect(() => trainModel(loadInteractions(onlyViews, 'taobao'))).to.throw(DataError, /no ratings/);
    expect(() => evalLeaveLast(loadInteractions(onlyViews, 'taobao'))).to.throw(DataError, /cart or buy/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('explicit evaluation predicts unseen users and items from the biases', () => {
    const dir = tmpDir();
    const tr = path.join(dir, 'a.base');
    const te = path.join(dir, 'a.test');
    fs.writeFileSync(tr, '1\t1\t5\t1\n1\t2\t4\t2\n2\t1\t4\t3\n2\t2\t2\t4\n');
    fs.writeFileSync(te, '1\t3\t3\t5\n3\t1\t4\t6\n');
    const r = evalExplicit(loadInteractions(tr), loadInteractions(te), { epochs: 5 });
    expect(r.n).to.equal(2);
    expect(r.predictions.every(([, , p]) => p >= 1 && p <= 5)).to.equal(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

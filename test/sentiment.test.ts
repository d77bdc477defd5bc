/**
 * Sentiment: model shapes, save/load round-trip, a tiny training run on a separable toy set,
 * calibration and the neutral band, aspect extraction on fixed sentences, input errors.
 */
import { expect } from 'chai';
import { rejectionOf } from './rejection';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initRuntime, tf } from '../core/tf/runtime';
import { buildModel, padBatch, predictLogits, BagPredictor } from '../core/sentiment/model';
import { saveLayersModel, loadLayersModel } from '../core/sentiment/io';
import { trainModel, SparseBagTrainer } from '../core/sentiment/train';
import { extractFeatures, FeatureIndex, clip } from '../core/sentiment/features';
import { labelFor, fitTemperature, NEUTRAL_HALF_WIDTH } from '../core/sentiment/calibrate';
import { findAspectMentions, splitClauses } from '../core/sentiment/aspects';
import { checkReviewText, SentimentAnalyzer, SentimentInputError } from '../core/sentiment/analyzer';
import { SentimentClassifier, SentimentConfig } from '../core/sentiment/classifier';
import { stratifiedSplit, withoutLeaks } from '../core/sentiment/data';
import { binaryMetrics, setPRF } from '../core/sentiment/metrics';
import { DataError } from '../core/data/errors';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-sentiment-'));

/** A separable toy set: positives carry ids 2..9, negatives ids 10..17, both share noise ids 18..40. */
function toySet(n: number, seed = 1) {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const seqs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const len = 3 + Math.floor(r() * 6);
    const seq = Array.from({ length: len }, () => 18 + Math.floor(r() * 23));
    seq.push((y ? 2 : 10) + Math.floor(r() * 8));
    seqs.push(seq);
    labels.push(y);
  }
  return { seqs, labels };
}

describe('sentiment model', function () {
  before(async () => {
    await initRuntime();
  });

  it('maps [B, L] ids to [B, 1] logits, padding does not change the result', () => {
    for (const pooling of ['mean', 'meanmax', 'sqrtn', 'sqrtnmax'] as const) {
      const m = buildModel({ vocabSize: 50, dim: 8, hidden: 4, pooling, dropout: 0.1 });
      const out = m.predict(padBatch([[1, 2, 3], [4], []])) as tf.Tensor;
      expect(out.shape).to.deep.equal([3, 1]);
      const a = predictLogits(m, [[5, 6]]);
      const b = tf.tidy(() => (m.predict(tf.tensor2d([[5, 6, 0, 0, 0]], [1, 5], 'int32')) as tf.Tensor).dataSync());
      expect(a[0]).to.be.closeTo(b[0], 1e-5);
      out.dispose();
      m.dispose();
    }
  });

  it('save/load round-trip gives the same predictions (float32 and uint8-quantised)', async () => {
    const m = buildModel({ vocabSize: 120_000, dim: 2, hidden: 0, pooling: 'meanmax', dropout: 0 });
    const seqs = [[1, 2, 3], [100, 99_999], [7]];
    const before = predictLogits(m, seqs);
    const dir = tmp();
    await saveLayersModel(m, path.join(dir, 'f32'), { quantize: false });
    const bytesQ = await saveLayersModel(m, path.join(dir, 'q8'));
    expect(bytesQ).to.be.lessThan(fs.statSync(path.join(dir, 'f32', 'weights.bin')).size / 3);
    const f32 = predictLogits(await loadLayersModel(path.join(dir, 'f32')), seqs);
    const q8 = predictLogits(await loadLayersModel(path.join(dir, 'q8')), seqs);
    for (let i = 0; i < seqs.length; i++) {
      expect(f32[i]).to.be.closeTo(before[i], 1e-6);
      expect(q8[i]).to.be.closeTo(before[i], 0.01);
    }
    m.dispose();
  });

  for (const pooling of ['meanmax', 'sqrtnmax'] as const) it(`JS pooling in the sparse trainer matches the tf MaskedPool layer (${pooling})`, () => {
    const m = buildModel({ vocabSize: 30, dim: 4, hidden: 0, pooling, dropout: 0 });
    const t = new SparseBagTrainer(m, { learningRate: 0.01, embeddingLearningRate: 0.1 });
    const seqs = [[1, 5, 5, 9], [3]];
    const { pooled } = t.pool(seqs);
    const pool = tf.tidy(() => {
      const ids = padBatch(seqs);
      return (m.getLayer('pool').apply([ids, m.getLayer('emb').apply(ids) as tf.Tensor]) as tf.Tensor).dataSync();
    });
    for (let i = 0; i < pooled.length; i++) expect(pooled[i]).to.be.closeTo(pool[i], 1e-5);
    t.dispose();
    m.dispose();
  });

  it('fast inference (JS pooling + tf head) gives the tf model\'s logits', () => {
    for (const pooling of ['mean', 'sqrtnmax'] as const) {
      const m = buildModel({ vocabSize: 200, dim: 6, hidden: 5, pooling, dropout: 0.3 });
      const seqs = [[1, 2, 3, 150], [199], [], [5, 5, 5, 7, 8, 9, 10, 11]];
      const a = predictLogits(m, seqs);
      const b = new BagPredictor(m).logits(seqs, 3);
      for (let i = 0; i < seqs.length; i++) expect(b[i]).to.be.closeTo(a[i], 1e-5);
      m.dispose();
    }
  });

  it('a tiny training run learns a separable toy set', async () => {
    const m = buildModel({ vocabSize: 41, dim: 8, hidden: 0, pooling: 'mean', dropout: 0 });
    const train = toySet(400, 1);
    const val = toySet(100, 2);
    const epochs: number[] = [];
    const r = await trainModel(m, train, val, { epochs: 4, batchSize: 16, learningRate: 0.02, embeddingLearningRate: 0.2, lrDecay: 0.8, seed: 3, onEpoch: (i) => void epochs.push(i.valAccuracy) });
    expect(epochs).to.have.length(4);
    expect(r.valAccuracy).to.be.greaterThan(0.95);
    m.dispose();
  });
});

describe('sentiment features and data', () => {
  it('extracts char n-grams, words and word bigrams; clips long text at head and tail', () => {
    const f = extractFeatures('物流很快');
    expect(f).to.include.members(['1:物', '2:物流', '3:物流很', 'w:物流']);
    expect(f.some((x) => x.startsWith('b:'))).to.equal(true);
    const long = '好'.repeat(300) + '差';
    expect(Array.from(clip(long, 100))).to.have.length(101);
    expect(clip(long, 100).endsWith('差')).to.equal(true);
  });

  it('the feature index drops rare features and unknown ones', () => {
    const idx = FeatureIndex.build([['a', 'b'], ['a', 'c'], ['a', 'b']], { minFreq: 2, maxSize: 10 });
    expect(idx.features).to.deep.equal(['a', 'b']);
    expect(idx.encode(['a', 'zzz', 'b', 'a'], 10)).to.deep.equal([1, 2, 1]);
    expect(idx.encode(['a', 'b', 'a'], 2)).to.deep.equal([1, 2]);
  });

  it('splits stratified and reproducibly; leak filter drops training texts seen in eval sets', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ label: (i % 2) as 0 | 1, text: `t${i}`, cat: i < 100 ? 'a' : 'b' }));
    const s1 = stratifiedSplit(rows, 0.1, 0.1, 7);
    const s2 = stratifiedSplit(rows, 0.1, 0.1, 7);
    expect(s1.val.map((r) => r.text)).to.deep.equal(s2.val.map((r) => r.text));
    expect(s1.train.length + s1.val.length + s1.test.length).to.equal(200);
    expect(s1.test.filter((r) => r.label === 1).length).to.equal(10);
    const seen = new Set([...s1.train, ...s1.val, ...s1.test].map((r) => r.text));
    expect(seen.size).to.equal(200);
    const { rows: kept, dropped } = withoutLeaks([{ label: 1, text: '很好 ' }, { label: 0, text: '差' }], [[{ label: 1, text: '很好' }]]);
    expect(dropped).to.equal(1);
    expect(kept.map((r) => r.text)).to.deep.equal(['差']);
  });

  it('metrics: accuracy, macro-F1, set P/R', () => {
    const m = binaryMetrics([1, 1, 0, 0], [1, 0, 0, 0]);
    expect(m.accuracy).to.equal(0.75);
    expect(m.macro_f1).to.be.closeTo((2 / 3 + 0.8) / 2, 1e-9);
    const s = setPRF([new Set(['a', 'b'])], [new Set(['a', 'c'])]);
    expect([s.precision, s.recall]).to.deep.equal([0.5, 0.5]);
  });
});

describe('sentiment calibration and neutral band', () => {
  it('labels inside [0.5 - w, 0.5 + w] neutral, outside positive / negative', () => {
    const w = NEUTRAL_HALF_WIDTH;
    expect(labelFor(0.5)).to.equal('neutral');
    expect(labelFor(0.5 + w)).to.equal('neutral');
    expect(labelFor(0.5 - w)).to.equal('neutral');
    expect(labelFor(0.5 + w + 1e-6)).to.equal('positive');
    expect(labelFor(0.5 - w - 1e-6)).to.equal('negative');
    expect(labelFor(0.99)).to.equal('positive');
    expect(labelFor(0.01)).to.equal('negative');
    expect(labelFor(0.55, 0)).to.equal('positive');
    expect(() => labelFor(NaN)).to.throw(/not a number/);
  });

  it('temperature scaling recovers an over-confident model', () => {
    // True logits z; the model reports 4z (over-confident): the fitted T is about 4.
    const logits: number[] = [];
    const labels: number[] = [];
    let s = 5;
    const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 4000; i++) {
      const z = (r() - 0.5) * 6;
      labels.push(r() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
      logits.push(4 * z);
    }
    expect(fitTemperature(logits, labels)).to.be.closeTo(4, 0.5);
  });
});

describe('sentiment aspects', () => {
  const aspectsOf = (t: string) => findAspectMentions(t).map((m) => `${m.aspect}${m.cue === 'positive' ? '+' : m.cue === 'negative' ? '-' : '?'}`);

  it('cuts clauses at punctuation and contrast words', () => {
    expect(splitClauses('面料不错但是做工差！物流快')).to.deep.equal(['面料不错', '但是做工差', '物流快']);
  });

  it('finds aspects with lexicon polarity on fixed sentences', () => {
    expect(aspectsOf('尺码偏小，面料起球，物流太慢')).to.deep.equal(['尺码-', '面料-', '物流-']);
    expect(aspectsOf('没有色差，一点也不贵')).to.deep.equal(['颜色+', '价格+']);
    expect(aspectsOf('客服态度很好')).to.deep.equal(['客服+']); // a general opinion word (很好) gives the polarity of the aspect the clause names
    expect(aspectsOf('颜色好看')).to.deep.equal(['颜色+']); // not 款式: the clause names 颜色
    expect(aspectsOf('尺码嘛，有点偏小')[0]).to.equal('尺码-'); // borrows the next clause
    expect(aspectsOf('整体很满意，会回购')).to.deep.equal([]);
  });
});

describe('sentiment input errors', () => {
  it('refuses empty, non-string and garbled text with a clear message', () => {
    expect(() => checkReviewText('')).to.throw(SentimentInputError, /empty/);
    expect(() => checkReviewText('   ')).to.throw(SentimentInputError, /empty/);
    expect(() => checkReviewText(null)).to.throw(SentimentInputError, /not a string/);
    expect(() => checkReviewText('\uFFFD\uFFFD\uFFFD好')).to.throw(SentimentInputError, /garbled/);
    expect(() => checkReviewText('！？…，。')).to.throw(SentimentInputError, /garbled/);
    expect(checkReviewText('好评')).to.equal('好评');
  });

  it('a missing or broken model folder is a DataError naming the file', async () => {
    const dir = tmp();
    const err = await rejectionOf(SentimentClassifier.load(dir));
    expect(err).to.be.instanceOf(DataError);
    expect(err?.message).to.match(/config\.json/);
    fs.writeFileSync(path.join(dir, 'config.json'), '{not json');
    expect((await rejectionOf(SentimentClassifier.load(dir)))?.message).to.match(/config\.json.*not valid JSON/);
  });

  it('a small untrained analyzer returns one result per text and refuses bad items', async () => {
    await initRuntime();
    const feats = ['1:好', '1:差', 'w:物流'];
    const cfg: SentimentConfig = { format: 'copydesk-sentiment/1', features: { charOrders: [1], words: true, wordBigrams: false, maxChars: 64 }, maxLen: 100, model: { vocabSize: feats.length + 1, dim: 4, hidden: 0, pooling: 'mean', dropout: 0 }, temperature: 1, neutralHalfWidth: 0.1 };
    const cls = new SentimentClassifier(buildModel(cfg.model), new FeatureIndex(feats), cfg);
    const dir = tmp();
    await cls.save(dir);
    const a = new SentimentAnalyzer(await SentimentClassifier.load(dir));
    const res = await a.analyze(['物流很快', '好']);
    expect(res).to.have.length(2);
    expect(res[0].probability).to.be.within(0, 1);
    expect(res[0].aspects.map((x) => x.aspect)).to.deep.equal(['物流']);
    // A model whose logit is 0 everywhere says p = 0.5, inside the band: neutral.
    cls.model.setWeights(cls.model.getWeights().map((w) => tf.zerosLike(w)));
    const flat = new SentimentAnalyzer(new SentimentClassifier(cls.model, cls.index, { ...cfg, neutralHalfWidth: 0.1 }));
    const [n] = await flat.analyze(['物流很快']);
    expect(n.probability).to.be.closeTo(0.5, 1e-6);
    expect(n.label).to.equal('neutral');
    expect((await rejectionOf(a.analyze(['好', ''])))?.message).to.equal('text 2 is empty');
  });
});

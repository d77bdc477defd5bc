/**
 * Sentiment ensemble members: the NB-weighted linear member and the character / word BiGRUs learn
 * separable toy sets, save/load round-trips, and the ensemble's logits are exactly the
 * weighted combination of its members' calibrated logits.
 */
import { expect } from 'chai';
import { rejectionOf } from './rejection';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initRuntime, tf } from '../core/tf/runtime';
import { buildModel } from '../core/sentiment/model';
import { FeatureIndex } from '../core/sentiment/features';
import { SentimentClassifier, SentimentConfig, LINEAR_FILE } from '../core/sentiment/classifier';
import { SentimentAnalyzer } from '../core/sentiment/analyzer';
import { trainLinear, nbRatios, distinctIds, LinearMember } from '../core/sentiment/linear';
import { buildGruClassifier, buildTokenVocab, encodeTokens, charTokens, wordTokens, trainGruClassifier, gruLogits, GruMember, DEFAULT_CHAR_GRU, DEFAULT_WORD_GRU } from '../core/sentiment/gru-member';
import { combineLogits, fitEnsemble, simplexGrid } from '../core/sentiment/ensemble';
import { DataError } from '../core/data/errors';
import { mulberry32 } from '../core/util/random';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-sentiment-ens-'));

/** Positives carry ids 2..9, negatives 10..17, both share noise ids 18..40. */
function toyIds(n: number, seed: number) {
  const r = mulberry32(seed);
  const seqs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const seq = Array.from({ length: 3 + Math.floor(r() * 6) }, () => 18 + Math.floor(r() * 23));
    seq.push((y ? 2 : 10) + Math.floor(r() * 8));
    seqs.push(seq);
    labels.push(y);
  }
  return { seqs, labels };
}

/** Short texts: noise characters with one cue (好/棒/赞 positive, 差/烂/坏 negative) somewhere in them. */
function toyTexts(n: number, seed: number) {
  const r = mulberry32(seed);
  const noise = '的了是在有这个我们一件衣服尺码颜色物流快递包装';
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const cs = Array.from({ length: 4 + Math.floor(r() * 8) }, () => noise[Math.floor(r() * noise.length)]);
    cs.splice(Math.floor(r() * cs.length), 0, (y ? '好棒赞' : '差烂坏')[Math.floor(r() * 3)]);
    texts.push(cs.join(''));
    labels.push(y);
  }
  return { texts, labels };
}

describe('sentiment linear member', () => {
  it('NB ratios point the right way and the member learns a separable toy set', () => {
    const train = toyIds(400, 1);
    const r = nbRatios(train.seqs.map(distinctIds), train.labels, 41, 1);
    expect(r[2]).to.be.greaterThan(0.5);
    expect(r[10]).to.be.lessThan(-0.5);
    expect(Math.abs(r[20])).to.be.lessThan(0.5);
    const epochs: number[] = [];
    const { member, valAccuracy, bestEpoch } = trainLinear(train, toyIds(100, 2), 41, { epochs: 3, learningRate: 0.2, l2: 1e-6, nb: true, alpha: 1, seed: 3, onEpoch: (i) => void epochs.push(i.valAccuracy) });
    expect(epochs).to.have.length(3);
    expect(valAccuracy).to.be.greaterThan(0.95);
    expect(valAccuracy).to.equal(Math.max(...epochs));
    expect(bestEpoch).to.equal(epochs.indexOf(valAccuracy) + 1);
    expect(member.logits([[2, 20]])[0]).to.be.greaterThan(0);
    expect(member.logits([[10, 20]])[0]).to.be.lessThan(0);
    // repeats do not count twice; padding is ignored
    expect(member.logits([[2, 2, 20, 0]])[0]).to.be.closeTo(member.logits([[20, 2]])[0], 1e-6);
  });

  it('save/load round-trip; a file of the wrong size is refused naming it', () => {
    const m = new LinearMember(Float32Array.from([0, 0.5, -1, 2]), 0.25);
    const dir = tmp();
    const f = path.join(dir, LINEAR_FILE);
    m.save(f);
    const back = LinearMember.load(f, 4);
    expect([...back.weights]).to.deep.equal([...m.weights]);
    expect(back.bias).to.equal(0.25);
    expect(() => LinearMember.load(f, 5)).to.throw(DataError, /linear\.bin.*has 4 weights, the feature index has 5/);
  });
});

describe('sentiment BiGRU members', function () {
  this.timeout(60_000);
  before(async () => {
    await initRuntime();
  });

  it('keeps the head and tail of a long review; unknown tokens are <unk>', () => {
    const t = charTokens('好'.repeat(50) + '差', 10);
    expect(t).to.have.length(10);
    expect(t[t.length - 1]).to.equal('差');
    const v = buildTokenVocab('char', ['好好差', '好差'], 10);
    expect(encodeTokens('char', v, '好龘', 10)[1]).to.equal(1);
    expect(encodeTokens('char', v, '', 10)).to.deep.equal([1]);
    expect(wordTokens('物流很快，质量不错', 100)).to.include.members(['物流', '质量']);
    const w = buildTokenVocab('word', ['物流很快', '物流太慢'], 100);
    expect(w.has('物流')).to.equal(true);
    expect(w.has('很快')).to.equal(false); // seen once: below the minimum frequency
  });

  it('learns a separable toy set (cue character anywhere in the text)', async () => {
    const train = toyTexts(600, 1);
    const val = toyTexts(100, 2);
    const vocab = buildTokenVocab('char', train.texts, 40, 1);
    const enc = (s: { texts: string[]; labels: number[] }) => ({ seqs: s.texts.map((t) => encodeTokens('char', vocab, t, 40)), labels: s.labels });
    const m = buildGruClassifier({ level: 'char', vocabSize: vocab.size, dim: 8, units: 8, hidden: 8, dropout: 0, maxChars: 40 }, 11);
    const out = m.predict([tf.tensor2d([[4, 5, 6], [7, 0, 0]], [2, 3], 'int32'), tf.tensor2d([[6, 5, 4], [7, 0, 0]], [2, 3], 'int32')]) as tf.Tensor;
    expect(out.shape).to.deep.equal([2, 1]);
    out.dispose();
    const accs: number[] = [];
    const acc = await trainGruClassifier(m, enc(train), enc(val), { epochs: 6, batchSize: 16, learningRate: 0.02, seed: 4, onEpoch: (i) => void accs.push(i.valAccuracy) });
    expect(accs, JSON.stringify(accs)).to.have.length(6);
    expect(acc, JSON.stringify(accs)).to.be.greaterThan(0.95);
    m.dispose();
  });

  it('the same seed builds the same weights; another seed other weights', () => {
    const cfg = { ...DEFAULT_CHAR_GRU, vocabSize: 30, units: 6, dim: 5, hidden: 4, maxChars: 20 };
    const [a, b, c] = [3, 3, 4].map((seed) => buildGruClassifier(cfg, seed));
    const flat = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(flat(a)).to.deep.equal(flat(b));
    expect(flat(a)).to.not.deep.equal(flat(c));
    // within one model the seeded matrices differ from each other (each initialiser has its own seed)
    const ws = a.getWeights().filter((w) => w.shape.length === 2);
    expect(new Set(ws.map((w) => w.dataSync()[0])).size).to.equal(ws.length);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('save/load round-trip gives the same logits', async () => {
    const vocab = buildTokenVocab('char', ['质量很好', '太差了'], 20, 1);
    const cfg = { ...DEFAULT_CHAR_GRU, vocabSize: vocab.size, units: 6, dim: 5, hidden: 4, maxChars: 20 };
    const member = new GruMember(buildGruClassifier(cfg), vocab, cfg);
    const texts = ['质量很好', '太差了吧', '很'];
    const before = member.logits(texts);
    const dir = tmp();
    await member.save(dir);
    const back = await GruMember.load(dir, cfg);
    const after = back.logits(texts);
    texts.forEach((_, i) => expect(after[i]).to.be.closeTo(before[i], 1e-6));
    // padding does not change a text's logit: alone, or batched with a longer text
    const short = encodeTokens('char', vocab, texts[2], 20);
    const alone = gruLogits(back.model, [short]);
    const padded = gruLogits(back.model, [short, encodeTokens('char', vocab, '质量很好太差了质量很好', 20)], 2);
    expect(alone[0]).to.be.closeTo(after[2], 1e-5);
    expect(padded[0]).to.be.closeTo(alone[0], 1e-5);
  });
});

describe('sentiment ensemble', function () {
  this.timeout(60_000);
  before(async () => {
    await initRuntime();
  });

  it('combines calibrated logits with simplex weights', () => {
    expect(simplexGrid(3, 0.5)).to.have.length(6);
    simplexGrid(3, 0.05).forEach((w) => expect(w.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-9));
    const z = combineLogits([[2, -4], [1, 1]], [{ weight: 0.25, temperature: 2 }, { weight: 0.75, temperature: 0.5 }]);
    expect(z[0]).to.be.closeTo(0.25 * 1 + 0.75 * 2, 1e-6);
    expect(z[1]).to.be.closeTo(0.25 * -2 + 0.75 * 2, 1e-6);
    expect(() => combineLogits([[1]], [])).to.throw(/1 logit arrays for 0 members/);
  });

  it('the fitted weights favour the informative member', () => {
    const r = mulberry32(9);
    const labels = Array.from({ length: 2000 }, (_, i) => i % 2);
    const good = labels.map((y) => (y ? 2 : -2) + (r() - 0.5) * 3);
    const noise = labels.map(() => (r() - 0.5) * 6);
    const m = fitEnsemble(['bag', 'linear'], [noise, good], labels);
    expect(m[1].weight).to.be.greaterThan(0.8);
    expect(m[0].weight + m[1].weight).to.be.closeTo(1, 1e-9);
  });

  it('an ensemble classifier gives the weighted combination of its members, and survives save/load', async () => {
    const feats = ['1:好', '1:差', 'w:物流', '1:快'];
    const model = { vocabSize: feats.length + 1, dim: 4, hidden: 0, pooling: 'mean' as const, dropout: 0 };
    const chars = buildTokenVocab('char', ['物流很快', '好差'], 20, 1);
    const words = buildTokenVocab('word', ['物流很快', '好差'], 20, 1);
    const chargru = { ...DEFAULT_CHAR_GRU, vocabSize: chars.size, units: 4, dim: 4, hidden: 0, maxChars: 20 };
    const wordgru = { ...DEFAULT_WORD_GRU, vocabSize: words.size, units: 3, dim: 4, hidden: 2, maxChars: 20 };
    const members = [{ kind: 'bag' as const, weight: 0.4, temperature: 2 }, { kind: 'linear' as const, weight: 0.3, temperature: 1 }, { kind: 'chargru' as const, weight: 0.2, temperature: 0.5 }, { kind: 'wordgru' as const, weight: 0.1, temperature: 0.8 }];
    const cfg: SentimentConfig = { format: 'copydesk-sentiment/2', features: { charOrders: [1], words: true, wordBigrams: false, maxChars: 64 }, maxLen: 100, model, members, gru: { chargru, wordgru }, temperature: 1.5, neutralHalfWidth: 0.1 };
    const cls = new SentimentClassifier(buildModel(model), new FeatureIndex(feats), cfg, {
      linear: new LinearMember(Float32Array.from([0, 1, -1, 0.2, 0.5]), 0.1),
      gru: { chargru: new GruMember(buildGruClassifier(chargru), chars, chargru), wordgru: new GruMember(buildGruClassifier(wordgru), words, wordgru) },
    });
    const texts = ['物流很快', '好差', '好'];
    const parts = cls.memberLogits(texts);
    expect(parts).to.have.length(4);
    const z = cls.logits(texts);
    texts.forEach((_, i) => expect(z[i]).to.be.closeTo(parts.reduce((a, p, k) => a + (members[k].weight * p[i]) / members[k].temperature, 0), 1e-5));
    const p = cls.probabilities(texts);
    texts.forEach((_, i) => expect(p[i]).to.be.closeTo(1 / (1 + Math.exp(-z[i] / 1.5)), 1e-6));
    const dir = tmp();
    await cls.save(dir);
    const back = await SentimentClassifier.load(dir);
    const z2 = back.logits(texts);
    texts.forEach((_, i) => expect(z2[i]).to.be.closeTo(z[i], 1e-5)); // tiny tables: stored as float32
    const [res] = await new SentimentAnalyzer(back).analyze(['物流很快']);
    expect(res.aspects.map((a) => a.aspect)).to.deep.equal(['物流']);
    expect(() => new SentimentClassifier(cls.model, cls.index, cfg, { linear: cls.extra.linear })).to.throw(/names a chargru member but none was given/);
    // a member named in the config but missing on disk is a DataError naming the file
    fs.unlinkSync(path.join(dir, LINEAR_FILE));
    const err = await rejectionOf(SentimentClassifier.load(dir));
    expect(err).to.be.instanceOf(DataError);
    expect(err?.message).to.match(/linear\.bin.*missing/);
  });
});

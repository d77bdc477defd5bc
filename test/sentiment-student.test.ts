/**
 * The distilled student (`train sentiment --recipe student`): the distillation loss, the
 * string-free feature encoder (same ids as the string path), confident-learning flags, and a
 * small end-to-end run — a teacher bag trained on toy reviews, a student distilled from it
 * (teacher logits cached, resumed after one epoch), saved and loaded back with the same logits.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initRuntime, tf } from '../core/tf/runtime';
import { distillationLoss, distillationLossOf } from '../core/sentiment/distill';
import { CharGramTable, encodeText } from '../core/sentiment/fast-encode';
import { DEFAULT_FEATURES, extractFeatures, FeatureIndex } from '../core/sentiment/features';
import { flagLabelIssues, outOfFoldProbabilities } from '../core/sentiment/label-noise';
import { trainSentiment, TRAIN_DEFAULTS, TrainSentimentOptions } from '../core/sentiment/pipeline';
import { SentimentClassifier } from '../core/sentiment/classifier';
import { teacherCacheKey } from '../core/sentiment/teacher';
import { mulberry32 } from '../core/util/random';
import { trainLinear } from '../core/sentiment/linear';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-sentiment-student-'));

/** Toy reviews: noise characters with a positive (好/棒/赞) or negative (差/烂/坏) cue; ~8 % labels flipped. */
function toyCsv(file: string, n: number, seed: number, flip = 0): void {
  const r = mulberry32(seed);
  const noise = '的了是在有这个我们一件衣服尺码颜色物流快递包装';
  const lines = ['cat,label,review'];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const cs = Array.from({ length: 6 + Math.floor(r() * 10) }, () => noise[Math.floor(r() * noise.length)]);
    cs.splice(Math.floor(r() * cs.length), 0, (y ? '好棒赞' : '差烂坏')[Math.floor(r() * 3)]);
    lines.push(`${i % 3 ? '衣服' : '书籍'},${r() < flip ? 1 - y : y},${cs.join('')}${i}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('sentiment distillation loss', () => {
  before(() => initRuntime());

  it('equals the per-row formula; α = 1 is plain cross-entropy; weights weight the rows', () => {
    const z = [2, -1, 0.3];
    const y = [1, 1, 0];
    const zt = [3, -2, 1.5];
    const o = { alpha: 0.3, temperature: 2 };
    const t = (a: number[]) => tf.tensor2d(a, [a.length, 1]);
    const got = distillationLoss(t(z), t(y), t(zt), o).dataSync()[0];
    const want = z.reduce((s, zi, i) => s + distillationLossOf(zi, y[i], zt[i], o), 0) / z.length;
    expect(got).to.be.closeTo(want, 1e-5);
    const ce = tf.losses.sigmoidCrossEntropy(t(y), t(z)).dataSync()[0];
    expect(distillationLoss(t(z), t(y), t(zt), { alpha: 1, temperature: 2 }).dataSync()[0]).to.be.closeTo(ce, 1e-5);
    const w = distillationLoss(t(z), t(y), t(zt), o, t([1, 0, 0])).dataSync()[0];
    expect(w).to.be.closeTo(distillationLossOf(z[0], y[0], zt[0], o), 1e-5);
  });

  it('with α = 0 the loss is lowest where the student matches the teacher (gradient 0 at z = z_t)', () => {
    const o = { alpha: 0, temperature: 3 };
    const g = tf.grad((z: tf.Tensor) => distillationLoss(z, tf.tensor2d([[1]]), tf.tensor2d([[-1.2]]), o));
    expect(g(tf.tensor2d([[-1.2]])).dataSync()[0]).to.be.closeTo(0, 1e-6);
    expect(g(tf.tensor2d([[0.5]])).dataSync()[0]).to.be.greaterThan(0);
    expect(distillationLossOf(-1.2, 1, -1.2, o)).to.be.lessThan(distillationLossOf(0.5, 1, -1.2, o));
  });
});

describe('sentiment linear member on soft targets', () => {
  it('with α = 0 it learns the teacher, not the labels (here the teacher contradicts every label)', () => {
    const r = mulberry32(9);
    const seqs: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 300; i++) {
      const y = i % 2;
      seqs.push([18 + Math.floor(r() * 20), (y ? 2 : 10) + Math.floor(r() * 8)]);
      labels.push(y);
    }
    const teacher = Float32Array.from(labels, (y) => (y ? -3 : 3));
    const o = { epochs: 3, learningRate: 0.2, l2: 1e-6, nb: false, alpha: 1, seed: 1 };
    const val = { seqs: seqs.slice(0, 60), labels: labels.slice(0, 60).map((y) => 1 - y) };
    const soft = trainLinear({ seqs, labels, teacher }, val, 41, { ...o, distill: { alpha: 0, temperature: 2 } });
    expect(soft.valAccuracy).to.be.greaterThan(0.95);
    const hard = trainLinear({ seqs, labels }, val, 41, o);
    expect(hard.valAccuracy).to.be.lessThan(0.05);
  });
});

describe('sentiment fast feature encoding', () => {
  it('gives exactly the ids of index.encode(extractFeatures(…)), maxLen cut included', () => {
    const texts = ['尺码偏小，面料起球', '好|坏 x|y|z 很好|', '物流很快 包装 也好😀😀好', 'ABC 好的 好的', '', '很好'.repeat(200), '𠀀𠀁 好 𠀀𠀁'];
    const index = FeatureIndex.build(texts.map((t) => extractFeatures(t)), { minFreq: 1, maxSize: 100_000 });
    const table = new CharGramTable(index);
    for (const t of texts) for (const maxLen of [5, 2000]) expect(encodeText(index, table, t, DEFAULT_FEATURES, maxLen)).to.deep.equal(index.encode(extractFeatures(t), maxLen), t);
    const spec4 = { ...DEFAULT_FEATURES, charOrders: [1, 4] };
    const index4 = FeatureIndex.build(texts.map((t) => extractFeatures(t, spec4)), { minFreq: 1, maxSize: 100_000 });
    for (const t of texts) expect(encodeText(index4, new CharGramTable(index4), t, spec4, 2000)).to.deep.equal(index4.encode(extractFeatures(t, spec4), 2000));
  });
});

describe('sentiment label noise (confident learning)', () => {
  it('flags rows whose other class is confidently predicted', () => {
    const p = [0.9, 0.95, 0.1, 0.05, 0.97, 0.6, 0.02];
    const y = [1, 1, 0, 0, 0, 0, 1];
    expect(flagLabelIssues(p, y)).to.deep.equal([false, false, false, false, true, false, true]);
  });

  it('out-of-fold probabilities find flipped labels in a separable toy set', () => {
    const r = mulberry32(5);
    const seqs: number[][] = [];
    const labels: number[] = [];
    const flipped = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const y = i % 2;
      seqs.push([...Array.from({ length: 4 }, () => 18 + Math.floor(r() * 20)), (y ? 2 : 10) + Math.floor(r() * 8)]);
      if (i % 25 === 0) flipped.add(i);
      labels.push(flipped.has(i) ? 1 - y : y);
    }
    const p = outOfFoldProbabilities({ seqs, labels }, { seqs: seqs.slice(0, 50), labels: labels.slice(0, 50) }, 41, { epochs: 2, learningRate: 0.2, l2: 1e-6, nb: true, alpha: 1, seed: 1 });
    const flags = flagLabelIssues(p, labels);
    const hits = [...flipped].filter((i) => flags[i]).length;
    expect(hits).to.be.at.least(flipped.size - 4);
    expect(flags.filter(Boolean).length).to.be.at.most(flipped.size + 4);
  });
});

describe('sentiment student recipe (end to end, small data)', function () {
  this.timeout(300_000);
  const dir = tmp();
  const data = path.join(dir, 'toy.csv');
  const extra = path.join(dir, 'extra.csv');
  const quiet = process.env.COPYDESK_QUIET;
  before(() => {
    process.env.COPYDESK_QUIET = '1';
    toyCsv(data, 600, 1, 0.08);
    toyCsv(extra, 200, 2);
  });
  after(() => {
    if (quiet === undefined) delete process.env.COPYDESK_QUIET;
    else process.env.COPYDESK_QUIET = quiet;
  });

  const opts = (over: Partial<TrainSentimentOptions>): TrainSentimentOptions => ({
    ...TRAIN_DEFAULTS,
    data: [data],
    trainAll: [extra],
    evalFiles: [],
    out: path.join(dir, 'teacher'),
    work: path.join(dir, 'work-teacher'),
    resume: false,
    epochs: 2,
    minFreq: 1,
    members: ['bag', 'linear'],
    linear: { ...TRAIN_DEFAULTS.linear, epochs: 2 },
    log: () => {},
    ...over,
  });

  it('distils a teacher into a bag, caches the teacher logits, resumes, and round-trips', async () => {
    await trainSentiment(opts({}));
    const logs: string[] = [];
    const student = (epochs: number, resume: boolean) =>
      trainSentiment(
        opts({
          recipe: 'student',
          student: { teacher: path.join(dir, 'teacher'), cacheDir: path.join(dir, 'cache'), distill: { alpha: 0.3, temperature: 2 }, labelNoise: 'reweight' },
          out: path.join(dir, 'student'),
          work: path.join(dir, 'work-student'),
          members: ['bag'],
          embeddingLearningRate: 0.3, // a tiny toy set: larger steps than the real recipe's 0.03
          epochs,
          resume,
          model: { ...TRAIN_DEFAULTS.model, hidden: 16 },
          log: (l) => logs.push(l),
        }),
      );
    const first = await student(1, false);
    expect(first.epochs.map((e) => e.epoch)).to.deep.equal([1]);
    expect(first.student!.teacherAgreement).to.be.greaterThan(0.8);
    expect(first.student!.flagged).to.be.greaterThan(0);
    expect(fs.readdirSync(path.join(dir, 'cache')).filter((f) => f.endsWith('.f32'))).to.have.length(1);
    logs.length = 0;
    const second = await student(2, true);
    expect(logs.some((l) => /resuming after epoch 1/.test(l))).to.equal(true);
    expect(logs.some((l) => /from the cache/.test(l))).to.equal(true);
    expect(second.epochs.map((e) => e.epoch)).to.deep.equal([1, 2]);
    expect(second.validation.accuracy).to.be.at.least(0.8); // 8 % of the validation labels are flipped too; chance is 0.5
    // the student is one bag (format /1) and loads back with the same logits
    const cls = await SentimentClassifier.load(path.join(dir, 'student'));
    expect(cls.config.format).to.equal('copydesk-sentiment/1');
    expect(cls.config.training?.recipe).to.equal('student');
    const texts = ['衣服很好很棒', '物流太差了，坏的'];
    const z = cls.logits(texts);
    expect(z[0]).to.be.greaterThan(0);
    expect(z[1]).to.be.lessThan(0);
    const again = await SentimentClassifier.load(path.join(dir, 'student'));
    expect([...again.logits(texts)]).to.deep.equal([...z]);
    // another student setting reuses the same cached teacher logits; a changed teacher is a new key
    expect(teacherCacheKey(path.join(dir, 'teacher'), ['a'])).to.not.equal(teacherCacheKey(path.join(dir, 'teacher'), ['b']));
  });

  it('a bag + NB-LR student; refuses to resume a checkpoint made with other student settings', async () => {
    const run = (alpha: number, resume: boolean) =>
      trainSentiment(
        opts({
          recipe: 'student',
          student: { teacher: path.join(dir, 'teacher'), cacheDir: path.join(dir, 'cache'), distill: { alpha, temperature: 2 }, labelNoise: 'keep' },
          out: path.join(dir, 'student2'),
          work: path.join(dir, 'work-student2'),
          epochs: 1,
          resume,
        }),
      );
    const s = await run(0.5, false);
    // bag + NB-LR student (the default members of these options): both members, weights fitted
    expect(s.members!.map((m) => m.kind)).to.deep.equal(['bag', 'linear']);
    expect((await SentimentClassifier.load(path.join(dir, 'student2'))).config.format).to.equal('copydesk-sentiment/2');
    let err: Error | undefined;
    await run(0.2, true).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/other data or settings/);
  });
});

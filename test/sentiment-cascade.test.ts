/**
 * Sentiment confidence cascade (core/sentiment/cascade.ts): the uncertain rows (by the fast bag +
 * NB-LR path) go to the full ensemble and get exactly its logits, the BiGRUs see only those rows,
 * the confident rows keep the fast path's calibrated logit; margins 0 / ≥ 0.5 give the fast path /
 * the ensemble; the cascade survives save/load; fitCascade picks the smallest margin agreeing with
 * the ensemble on validation; `copydesk cascade sentiment` writes it into a model folder.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initRuntime } from '../core/tf/runtime';
import { buildModel, sigmoid } from '../core/sentiment/model';
import { FeatureIndex } from '../core/sentiment/features';
import { SentimentClassifier, SentimentConfig } from '../core/sentiment/classifier';
import { SentimentAnalyzer } from '../core/sentiment/analyzer';
import { LinearMember } from '../core/sentiment/linear';
import { buildGruClassifier, buildTokenVocab, GruMember, DEFAULT_CHAR_GRU, DEFAULT_WORD_GRU } from '../core/sentiment/gru-member';
import { combineLogits, MemberWeight } from '../core/sentiment/ensemble';
import { cascadeLogits, fitCascade, simulateCascade, CascadeConfig } from '../core/sentiment/cascade';
import { withoutCascade } from '../core/sentiment/classifier';
import { mulberry32 } from '../core/util/random';
import { PROJECT_ROOT } from '../core/util/paths';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-sentiment-cascade-'));

const TEXTS = ['好好', '好', '物流很快', '差', '差差差', '快', '物流', '好差', '很好很快', '一般', '物流差', '好快'];

function toyEnsemble(cascade?: CascadeConfig): SentimentClassifier {
  const feats = ['1:好', '1:差', 'w:物流', '1:快'];
  const model = { vocabSize: feats.length + 1, dim: 4, hidden: 0, pooling: 'mean' as const, dropout: 0 };
  const corpus = TEXTS;
  const chars = buildTokenVocab('char', corpus, 20, 1);
  const words = buildTokenVocab('word', corpus, 20, 1);
  const chargru = { ...DEFAULT_CHAR_GRU, vocabSize: chars.size, units: 4, dim: 4, hidden: 0, maxChars: 20 };
  const wordgru = { ...DEFAULT_WORD_GRU, vocabSize: words.size, units: 3, dim: 4, hidden: 2, maxChars: 20 };
  const members: MemberWeight[] = [{ kind: 'bag', weight: 0.2, temperature: 2 }, { kind: 'linear', weight: 0.3, temperature: 1 }, { kind: 'chargru', weight: 0.3, temperature: 0.5 }, { kind: 'wordgru', weight: 0.2, temperature: 0.8 }];
  const cfg: SentimentConfig = { format: 'copydesk-sentiment/2', features: { charOrders: [1], words: true, wordBigrams: false, maxChars: 64 }, maxLen: 100, model, members, gru: { chargru, wordgru }, temperature: 1.5, neutralHalfWidth: 0.1, training: { seed: 7, holdout: 0.1 }, ...(cascade ? { cascade } : {}) };
  return new SentimentClassifier(buildModel(model), new FeatureIndex(feats), cfg, {
    // 好 +, 差 −, 物流 and 快 weakly +: the fast path is sure of some texts and unsure of others
    linear: new LinearMember(Float32Array.from([0, 3, -3, 0.3, 0.6]), 0.05),
    gru: { chargru: new GruMember(buildGruClassifier(chargru, 21), chars, chargru), wordgru: new GruMember(buildGruClassifier(wordgru, 31), words, wordgru) },
  });
}

/** The same members with a cascade (or none). */
const withCascade = (cls: SentimentClassifier, cascade?: CascadeConfig) => new SentimentClassifier(cls.model, cls.index, { ...cls.config, cascade }, cls.extra);

const FAST: MemberWeight[] = [{ kind: 'bag', weight: 0.3, temperature: 1.2 }, { kind: 'linear', weight: 0.7, temperature: 0.9 }];

describe('sentiment cascade', function () {
  this.timeout(120_000);
  before(async () => {
    await initRuntime();
  });

  it('routes the uncertain rows to the full ensemble, agrees with it there, and runs the BiGRUs only on them', () => {
    const plain = toyEnsemble();
    const parts = plain.memberLogits(TEXTS);
    const zFull = plain.logits(TEXTS);
    const zFast = combineLogits([parts[0], parts[1]], FAST);
    const pFast = [...zFast].map((z) => sigmoid(z / 1.1));
    const margin = 0.3;
    const expected = pFast.flatMap((p, i) => (Math.abs(p - 0.5) < margin ? [i] : []));
    expect(expected.length, JSON.stringify(pFast)).to.be.within(2, TEXTS.length - 2); // the toy has both kinds of rows

    const cls = withCascade(plain, { fast: FAST, temperature: 1.1, margin });
    const seen: string[] = [];
    for (const g of Object.values(cls.extra.gru!)) {
      const real = g.logits.bind(g);
      g.logits = (texts: string[]) => (seen.push(...texts), real(texts));
    }
    const r = cascadeLogits(cls, TEXTS);
    expect(r.fallback).to.deep.equal(expected);
    expect(seen.sort()).to.deep.equal([...expected.map((i) => TEXTS[i]), ...expected.map((i) => TEXTS[i])].sort()); // each BiGRU once per fallback row
    TEXTS.forEach((_, i) => {
      if (expected.includes(i)) expect(r.logits[i]).to.be.closeTo(zFull[i], 1e-5);
      else expect(r.logits[i] / 1.5).to.be.closeTo(zFast[i] / 1.1, 1e-5); // the fast path's calibrated logit
    });
    // the classifier's own logits / probabilities go through the cascade
    const z = cls.logits(TEXTS);
    const p = cls.probabilities(TEXTS);
    TEXTS.forEach((_, i) => {
      expect(z[i]).to.be.closeTo(r.logits[i], 1e-6);
      expect(p[i]).to.be.closeTo(sigmoid(r.logits[i] / 1.5), 1e-6);
    });
    // margin 0: the fast path alone (no BiGRU call); margin above 0.5: the ensemble everywhere
    seen.length = 0;
    const none = cascadeLogits(withCascade(plain, { fast: FAST, temperature: 1.1, margin: 0 }), TEXTS);
    expect(none.fallback).to.deep.equal([]);
    expect(seen).to.deep.equal([]);
    const all = cascadeLogits(withCascade(plain, { fast: FAST, temperature: 1.1, margin: 0.51 }), TEXTS);
    expect(all.fallback).to.have.length(TEXTS.length);
    TEXTS.forEach((_, i) => expect(all.logits[i]).to.be.closeTo(zFull[i], 1e-5));
    // withoutCascade (the distillation teacher, the bench's comparison): the whole ensemble on every row
    const whole = withoutCascade(cls);
    expect(whole.config.cascade).to.equal(undefined);
    expect(cls.config.cascade?.margin).to.equal(margin);
    const zw = whole.logits(TEXTS);
    TEXTS.forEach((_, i) => expect(zw[i]).to.be.closeTo(zFull[i], 1e-6));
  });

  it('survives save/load, analyzes with aspects, and refuses a fast path naming a non-member', async () => {
    const cls = toyEnsemble({ fast: FAST, temperature: 1.1, margin: 0.3 });
    const dir = tmp();
    await cls.save(dir);
    const back = await SentimentClassifier.load(dir);
    expect(back.config.cascade?.margin).to.equal(0.3);
    const a = cls.logits(TEXTS);
    const b = back.logits(TEXTS);
    TEXTS.forEach((_, i) => expect(b[i]).to.be.closeTo(a[i], 1e-5));
    const [res] = await new SentimentAnalyzer(back).analyze(['物流很快']);
    expect(res.aspects.map((x) => x.aspect)).to.deep.equal(['物流']);
    const bad = { ...back.config, members: back.config.members!.filter((m) => m.kind !== 'linear') };
    expect(() => new SentimentClassifier(back.model, back.index, bad, back.extra)).to.throw(/fast path names linear, which is not a member/);
  });

  it('fitCascade: the smallest margin that agrees with the ensemble on validation; shares grow with the margin', () => {
    const r = mulberry32(3);
    const labels = Array.from({ length: 3000 }, (_, i) => i % 2);
    const signal = labels.map((y) => (y ? 1.5 : -1.5) + (r() - 0.5) * 4);
    const bag = signal.map((s) => s + (r() - 0.5) * 2);
    const lin = signal.map((s) => s + (r() - 0.5) * 2);
    const gru = signal.map((s) => s + (r() - 0.5) * 2);
    const members: MemberWeight[] = [{ kind: 'bag', weight: 0.3, temperature: 1 }, { kind: 'linear', weight: 0.3, temperature: 1 }, { kind: 'chargru', weight: 0.4, temperature: 1 }];
    const parts = [bag, lin, gru];
    const { cascade, table } = fitCascade(parts, members, 1, labels);
    expect(cascade.fast.map((m) => m.kind)).to.deep.equal(['bag', 'linear']);
    expect(cascade.fast.reduce((s, m) => s + m.weight, 0)).to.be.closeTo(1, 1e-9);
    for (let k = 1; k < table.length; k++) expect(table[k].share).to.be.at.least(table[k - 1].share);
    const chosen = table.find((t) => t.margin === cascade.margin)!;
    expect(chosen.agreement).to.equal(1);
    table.filter((t) => t.margin < cascade.margin).forEach((t) => expect(t.agreement).to.be.lessThan(1));
    // the simulation is what the cascade does: the same decisions on the same logits
    const sim = simulateCascade(parts, members, 1, cascade.fast, cascade.temperature, cascade.margin, labels);
    expect(sim.share).to.equal(chosen.share);
    expect(sim.agreement).to.equal(1);
    // a looser agreement gives a smaller (or equal) margin
    expect(fitCascade(parts, members, 1, labels, { minAgreement: 0.99 }).cascade.margin).to.be.at.most(cascade.margin);
    expect(() => fitCascade([bag, lin], members.slice(0, 2), 1, labels)).to.throw(/nothing to fall back to/);
  });

  it('copydesk cascade sentiment fits it on the validation part of --data and writes config.cascade', async () => {
    const dir = tmp();
    const modelDir = path.join(dir, 'model');
    await toyEnsemble().save(modelDir);
    const csv = path.join(dir, 'reviews.csv');
    const r = mulberry32(5);
    const rows = Array.from({ length: 200 }, (_, i) => {
      const y = i % 2;
      const t = TEXTS[Math.floor(r() * TEXTS.length)] + (y ? '好' : '差');
      return `${y},${t}`;
    });
    fs.writeFileSync(csv, `label,review\n${rows.join('\n')}\n`);
    const CLI = path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js');
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, COPYDESK_QUIET: '1', COPYDESK_QUIET_BACKEND: '1' } });
    const res = run(['cascade', 'sentiment', '--data', csv, '--model', modelDir]);
    expect(res.status, res.stderr).to.equal(0);
    const out = JSON.parse(res.stdout.trim());
    expect(out.table).to.have.length(9);
    expect(out.measured.test.cascade.n).to.equal(20);
    const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as SentimentConfig;
    expect(cfg.cascade?.margin).to.equal(out.cascade.margin);
    expect((await SentimentClassifier.load(modelDir)).config.cascade?.fast).to.have.length(2);
    const noData = run(['cascade', 'sentiment', '--model', modelDir]);
    expect(noData.status).to.equal(2);
    expect(noData.stderr).to.match(/--data is required/);
  });
});

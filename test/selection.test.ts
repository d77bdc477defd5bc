/**
 * Draft selection: consensus (minimum-Bayes-risk) scores, the phrase memory, and how the
 * reranker combines them with its own score, on the shipped generator.
 */
import { expect } from 'chai';
import { consensusScores, PhraseMemory } from '../core/seq2seq/selection';
import { loadGenerator, Seq2SeqGenerator, Candidate, DEFAULT_RERANK } from '../core/seq2seq/generator';
import { parseAttrs } from '../core/seq2seq/attrs';
import { charBleu, charBigrams, copyFaults, faultKinds } from '../core/seq2seq/metrics';

describe('selection: consensus scores', () => {
  it('ranks the phrasing most candidates share first and the outlier last', () => {
    const texts = ['白色雪纺连衣裙，清新飘逸，温柔又甜美。', '白色雪纺连衣裙，清新飘逸，温柔甜美。', '白色的雪纺连衣裙，清新飘逸又甜美。', '宽松阔腿裤，遮肉显瘦，百搭好穿！'];
    const s = consensusScores(texts);
    expect(s[3]).to.be.below(Math.min(s[0], s[1], s[2]));
    // each score is the mean BLEU against the others
    const mean0 = (charBleu(texts[1], texts[0]) + charBleu(texts[2], texts[0]) + charBleu(texts[3], texts[0])) / 3;
    expect(s[0]).to.be.closeTo(mean0, 1e-12);
  });

  it('a single candidate (or none) has nothing to agree with', () => {
    expect(consensusScores(['只有一条'])).to.deep.equal([0]);
    expect(consensusScores([])).to.deep.equal([]);
  });
});

describe('selection: phrase memory', () => {
  it('counts the share of bigrams no remembered draft used', () => {
    const m = new PhraseMemory(10);
    expect(m.freshShare('白色雪纺')).to.equal(1);
    m.remember('白色的裙');
    // 白色 is used; 色雪 and 雪纺 are new
    expect(m.freshShare('白色雪纺')).to.be.closeTo(2 / 3, 1e-12);
    expect(m.freshShare('白色的裙')).to.equal(0);
    expect(m.freshShare('白')).to.equal(1);
  });

  it('forgets the oldest draft beyond its window', () => {
    const m = new PhraseMemory(2);
    m.remember('甲乙');
    m.remember('丙丁');
    expect(m.freshShare('甲乙')).to.equal(0);
    m.remember('戊己');
    expect(m.size).to.equal(2);
    expect(m.freshShare('甲乙')).to.equal(1);
    expect(m.freshShare('丙丁')).to.equal(0);
    m.clear();
    expect(m.size).to.equal(0);
    expect(m.freshShare('丙丁')).to.equal(1);
  });

  it('indexes each character\'s followers for decoding, and forgets them with the draft', () => {
    const m = new PhraseMemory(1);
    m.remember('白色的裙白色');
    expect([...(m.followers('白') ?? [])]).to.deep.equal([['色', 2]]);
    expect([...(m.followers('色') ?? [])]).to.deep.equal([['的', 1]]);
    m.remember('黑裙');
    expect(m.followers('白')).to.equal(undefined);
    expect([...(m.followers('黑') ?? [])]).to.deep.equal([['裙', 1]]);
  });

  it('counts the first character of each draft (openings), and forgets it with the draft', () => {
    const m = new PhraseMemory(2);
    expect(m.followers(PhraseMemory.START)).to.equal(undefined);
    m.remember('这款裙子。');
    m.remember('这款裤子。');
    expect(m.followers(PhraseMemory.START)?.get('这')).to.equal(2);
    m.remember('一款上衣。');
    expect(m.followers(PhraseMemory.START)?.get('这')).to.equal(1);
    expect(m.followers(PhraseMemory.START)?.get('一')).to.equal(1);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => new PhraseMemory(0)).to.throw(/window must be a positive integer \(got 0\)/);
    expect(() => new PhraseMemory(1.5)).to.throw(/got 1.5/);
  });
});

describe('selection: reranking with consensus and memory (shipped generator)', function () {
  this.timeout(120_000);
  let g: Seq2SeqGenerator;
  const attrs = parseAttrs('类型#裙*颜色#白色*材质#雪纺');
  before(async () => {
    g = await loadGenerator();
  });
  const cand = (text: string, meanLogp: number): Candidate => ({ text, meanLogp, source: 'sample' });

  it('consensus lets the shared phrasing beat a likelier outlier; without it the outlier wins', () => {
    const c = g.controlsFor(attrs, { tone: 'warm' });
    const group = ['这款白色雪纺裙，清新飘逸，温柔又甜美。', '这款白色雪纺裙，清新飘逸，温柔甜美。', '这款白色的雪纺裙，清新飘逸又甜美。'];
    const outlier = '白色雪纺裙子配上精致刺绣点缀优雅大方';
    const cands = [...group.map((t) => cand(t, -1.0)), cand(outlier, -0.4)];
    expect(g.rerank(attrs, c, cands, 1, { ...DEFAULT_RERANK, consensus: 0 })[0].text).to.equal(outlier);
    expect(group).to.include(g.rerank(attrs, c, cands, 1)[0].text);
  });

  it('a candidate with a fault never beats a clean one, however likely and agreed on', () => {
    const c = g.controlsFor(attrs, { tone: 'warm' });
    const repeat = '这款白色雪纺裙，白色雪纺面料，白色雪纺的清新。';
    const midSentence = '这款白色雪纺裙，清新飘逸，温柔又甜美的';
    const clean = '白色雪纺裙子清新飘逸。';
    const cands = [cand(repeat, -0.2), cand(repeat + '。', -0.2), cand(midSentence, -0.2), cand('这款白色雪纺裙，清新飘逸，温柔又甜美、', -0.2), cand(clean, -3)];
    expect(g.rerank(attrs, c, cands, 1)[0].text).to.equal(clean);
    expect(g.rerank(attrs, c, cands, 1, { ...DEFAULT_RERANK, fault: 0 })[0].text).to.not.equal(clean);
  });

  it('every constrained candidate (before reranking) is free of the faults; unconstrained ones are not', () => {
    const cjkBigramMax = (t: string) => {
      const counts = new Map<string, number>();
      for (const b of charBigrams(t)) if (/^[\u4e00-\u9fff]{2}$/.test(b)) counts.set(b, (counts.get(b) ?? 0) + 1);
      return Math.max(0, ...counts.values());
    };
    let unconstrainedFaults = 0;
    for (const a of ['类型#裤*风格#通勤*裤型#阔腿裤', '类型#上衣*领型#polo领*风格#简约', '类型#鞋*鞋型#马丁靴*风格#复古']) {
      const at = parseAttrs(a);
      const c = g.controlsFor(at, { tone: 'warm' });
      for (const x of g.candidates(at, c, { samples: 6, seed: 2 })) {
        expect(faultKinds(copyFaults(x.text, at, g.lexicon)), x.text).to.equal(0);
        expect(cjkBigramMax(x.text), x.text).to.be.at.most(2);
        expect('。！？～~!?…').to.include(Array.from(x.text).pop()!);
      }
      for (const x of g.candidates(at, c, { samples: 6, seed: 2, constrain: false })) unconstrainedFaults += faultKinds(copyFaults(x.text, at, g.lexicon)) ? 1 : 0;
    }
    expect(unconstrainedFaults).to.be.greaterThan(0);
  });

  it('the memory steers the pick away from phrasing earlier drafts used, and remembers each pick', () => {
    const c = g.controlsFor(attrs, { tone: 'warm' });
    const cands = [cand('这款白色雪纺裙，展现出女性的优雅气质。', -1), cand('白色雪纺面料轻盈透气，穿上清爽自在。', -1)];
    const memory = new PhraseMemory();
    const first = g.rerank(attrs, c, cands, 1, DEFAULT_RERANK, memory)[0].text;
    expect(memory.size).to.equal(1);
    const second = g.rerank(attrs, c, cands, 1, DEFAULT_RERANK, memory)[0].text;
    expect(second).to.not.equal(first);
    expect(memory.size).to.equal(2);
    // without a shared memory the same request picks the same draft again
    expect(g.rerank(attrs, c, cands, 1)[0].text).to.equal(first);
  });

  it('decoding with a memory weights followers by (1 + count)^-exponent and steers the greedy row off a used phrasing', () => {
    const memory = new PhraseMemory();
    expect(g.avoidBias(memory, 0.1)).to.equal(undefined);
    memory.remember('白色的裙白色');
    expect(g.avoidBias(memory, 0)).to.equal(undefined);
    const bias = g.avoidBias(memory, 0.5)!;
    const f = bias(g.vocab.index.get('白')!)!;
    expect(f.get(g.vocab.index.get('色')!)).to.be.closeTo(3 ** -0.5, 1e-12);
    expect(bias(g.vocab.index.get('黑')!)).to.equal(undefined); // never a first character in the memory

    const c = g.controlsFor(attrs, { tone: 'warm' });
    const greedyOf = (m?: PhraseMemory) => g.candidates(attrs, c, { samples: 0, memory: m })[0].text;
    const plain = greedyOf();
    const used = new PhraseMemory();
    for (let i = 0; i < 20; i++) used.remember(plain);
    const steered = greedyOf(used);
    expect(steered).to.not.equal(plain);
    expect(used.freshShare(steered)).to.be.greaterThan(used.freshShare(plain));
  });

  it('drafts repeat their own bigrams less with the repeat factor than without', () => {
    const repeated = (t: string) => {
      const b = charBigrams(t);
      return b.length - new Set(b).size;
    };
    let off = 0;
    let on = 0;
    for (const a of ['类型#裙*风格#简约*图案#纯色*裙长#连衣裙', '类型#裤*风格#休闲*裤长#短裤', '类型#上衣*材质#针织*风格#甜美*衣样式#毛衣']) {
      const at = parseAttrs(a);
      const c = g.controlsFor(at, { tone: 'warm' });
      off += repeated(g.candidates(at, c, { samples: 0, decode: { repeatBigramFactor: 1 } })[0].text);
      on += repeated(g.candidates(at, c, { samples: 0 })[0].text);
    }
    expect(on).to.be.below(off);
  });

  it('generate: the same seeded request twice varies in one process; a fresh generator repeats the first', async () => {
    const req = { attrs: '类型#裙*颜色#白色*材质#雪纺*风格#清新', tone: 'warm' as const, n: 3, seed: 5 };
    const a = await g.generate(req);
    const b = await g.generate(req);
    expect(a).to.have.length(3);
    expect(new Set(a.map((d) => d.text)).size).to.equal(3);
    expect(b.map((d) => d.text)).to.not.deep.equal(a.map((d) => d.text));
    const fresh = await loadGenerator();
    expect((await fresh.generate(req)).map((d) => d.text)).to.deep.equal(a.map((d) => d.text));
  });
});

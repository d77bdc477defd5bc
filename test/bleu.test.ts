/** BLEU parity with NLTK (sentence_bleu with SmoothingFunction().method3, and corpus_bleu) on fixed character-level examples. */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import { sentenceBleu, charBleu, corpusBleu, rougeN, rougeL, distinct2, lcsLength } from '../core/seq2seq/metrics';

const CASES: Array<[string, string]> = [
  ['这款连衣裙采用雪纺面料，轻盈飘逸，清新的风格让你气质满满。', '这款雪纺连衣裙轻盈飘逸，清新风格，穿上气质满满。'],
  ['宽松的阔腿裤这两年真的吸粉不少，明星时尚达人的心头爱。', '宽松的阔腿裤非常时尚。'],
  ['简约的条纹衬衫', '简约的条纹衬衫'],
  ['简约的条纹衬衫', '红色'],
  ['简约的条纹衬衫', '简'],
  ['简约的条纹衬衫', '衫条简'],
  ['一二三四五六七八九十', '一二三四五六七八九十一二三四五六七八九十一二'],
  ['白色的雪纺裙子，清新脱俗，仙气十足！', '白色雪纺裙，清新仙气，白色的裙子很仙。'],
  ['这款外套采用羊毛材质，保暖性好', '这款外套采用羊毛材质，保暖性好，穿着舒适，版型宽松'],
  ['abc', ''],
];

/** Runs a Python snippet that reads JSON on stdin and prints a JSON list of scores; undefined without NLTK. */
function runNltk(py: string, input: unknown): number[] | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as number[];
}

function nltkScores(): number[] | undefined {
  const py = `
import json, sys
from nltk.translate.bleu_score import sentence_bleu, SmoothingFunction
cases = json.load(sys.stdin)
sm = SmoothingFunction().method3
print(json.dumps([float(sentence_bleu([list(r)], list(h), smoothing_function=sm)) for r, h in cases]))
`;
  return runNltk(py, CASES);
}

describe('BLEU (NLTK parity)', () => {
  it('matches nltk sentence_bleu with smoothing method3 on fixed examples', function () {
    const expected = nltkScores();
    if (!expected) {
      if (process.env.CI) throw new Error('python3-nltk is required in CI (apt-get install -y python3-nltk)');
      this.skip();
    }
    const ours = CASES.map(([r, h]) => charBleu(r, h));
    for (let i = 0; i < CASES.length; i++) expect(ours[i], `case ${i}`).to.be.closeTo(expected![i], 1e-9);
    // The fixed examples cover the interesting branches: perfect, zero, smoothed and brevity-penalised scores.
    expect(expected![2]).to.be.closeTo(1, 1e-12);
    expect(expected![3]).to.equal(0);
    expect(expected!.some((x) => x > 0 && x < 0.2)).to.equal(true);
  });

  it('works on token lists too', () => {
    expect(sentenceBleu(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'])).to.be.closeTo(1, 1e-12);
    expect(sentenceBleu(['a', 'b'], [])).to.equal(0);
  });
});

/** NLTK corpus_bleu (default: no smoothing) over whole corpora of character lists: [all cases, a subset, one perfect pair, no match]. */
const CORPORA: Array<Array<[string, string]>> = [
  CASES.filter(([, h]) => h.length > 0),
  CASES.slice(0, 3),
  [CASES[2]],
  [['简约的条纹衬衫', '红色']],
  CASES.slice(6, 9),
];

function nltkCorpus(): number[] | undefined {
  const py = `
import json, sys, warnings
warnings.simplefilter('ignore')
from nltk.translate.bleu_score import corpus_bleu
corpora = json.load(sys.stdin)
print(json.dumps([float(corpus_bleu([[list(r)] for r, h in c], [list(h) for r, h in c])) for c in corpora]))
`;
  return runNltk(py, CORPORA);
}

describe('corpus BLEU (NLTK parity)', () => {
  it('matches nltk corpus_bleu (no smoothing) on fixed character-level corpora', function () {
    const expected = nltkCorpus();
    if (!expected) {
      if (process.env.CI) throw new Error('python3-nltk is required in CI (apt-get install -y python3-nltk)');
      this.skip();
    }
    const ours = CORPORA.map((c) => corpusBleu(c.map(([r]) => Array.from(r)), c.map(([, h]) => Array.from(h))));
    for (let i = 0; i < CORPORA.length; i++) expect(ours[i], `corpus ${i}`).to.be.closeTo(expected![i], 1e-9);
    // perfect, zero and in-between corpora are all covered, and corpus BLEU is not the mean of the sentence scores
    expect(expected![2]).to.be.closeTo(1, 1e-12);
    expect(expected![3]).to.equal(0);
    const mean = CORPORA[0].reduce((a, [r, h]) => a + charBleu(r, h), 0) / CORPORA[0].length;
    expect(Math.abs(ours[0] - mean)).to.be.greaterThan(1e-3);
  });

  it('refuses corpora of different sizes', () => {
    expect(() => corpusBleu([['a']], [])).to.throw(/1 references for 0 hypotheses/);
  });
});

describe('ROUGE and distinct-2', () => {
  it('ROUGE-N uses clipped counts, ROUGE-L the LCS', () => {
    expect(rougeN(['a', 'b', 'c'], ['a', 'b', 'c'], 1)).to.equal(1);
    expect(rougeN(['a', 'b'], ['a', 'a', 'a', 'a'], 1)).to.be.closeTo((2 * 0.25 * 0.5) / 0.75, 1e-12);
    expect(rougeN(['a', 'b', 'c'], ['a', 'b', 'd'], 2)).to.be.closeTo(0.5, 1e-12);
    expect(lcsLength(['a', 'x', 'b', 'c'], ['a', 'b', 'y', 'c'])).to.equal(3);
    expect(rougeL(['a', 'x', 'b', 'c'], ['a', 'b', 'y', 'c'])).to.be.closeTo(0.75, 1e-12);
  });

  it('distinct-2 counts distinct character bigrams over all outputs', () => {
    expect(distinct2(['abab'])).to.be.closeTo(2 / 3, 1e-12);
    expect(distinct2(['ab', 'ab'])).to.be.closeTo(1 / 2, 1e-12);
    expect(distinct2([''])).to.equal(0);
  });
});

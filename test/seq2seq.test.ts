/**
 * The copy generator: attribute parsing errors, decoding behaviour (beam, sampling, repetition
 * blocking, length limits), a tiny model that overfits a handful of pairs, save/load round trip,
 * and the shipped model through the CLI.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { initRuntime, tf } from '../core/tf/runtime';
import { parseAttrs, AttributeError, AttributeTable, attrCoverage } from '../core/seq2seq/attrs';
import { toneOf, lengthOf, toneScore } from '../core/seq2seq/controls';
import { blockedTokens, immediateRepeatTokens, sampleToken, beamSearch, sampleRows } from '../core/seq2seq/decode';
import { trainGenerator } from '../core/seq2seq/train';
import { loadGenerator, Seq2SeqGenerator, selfDistinct } from '../core/seq2seq/generator';
import { rng } from '../core/seq2seq/data';
import { RetrievalIndex } from '../core/seq2seq/retrieval';
import { EXEMPLAR } from '../core/seq2seq/vocab';
import { PROJECT_ROOT, modelsDir } from '../core/util/paths';

const PAIRS = [
  { content: '类型#裙*颜色#白色*材质#雪纺', summary: '白色雪纺裙，清新飘逸。' },
  { content: '类型#裤*版型#宽松*裤型#阔腿裤', summary: '宽松阔腿裤，遮肉显瘦！' },
  { content: '类型#上衣*材质#针织*风格#简约', summary: '简约针织上衣，柔软亲肤。' },
  { content: '类型#裙*图案#条纹*裙长#连衣裙', summary: '条纹连衣裙，经典百搭。' },
];

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'apps/cli/copydesk.js'), ...args], {
    encoding: 'utf8', env: { ...process.env, COPYDESK_QUIET: '1', COPYDESK_QUIET_BACKEND: '1' }, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('seq2seq: attributes and controls', () => {
  it('parses key#value*key#value with repeated keys', () => {
    expect(parseAttrs('类型#裙*图案#条纹*图案#线条')).to.deep.equal([
      { key: '类型', value: '裙' }, { key: '图案', value: '条纹' }, { key: '图案', value: '线条' },
    ]);
  });

  it('rejects malformed attribute strings with a clear message', () => {
    for (const [bad, re] of [['', /empty/], ['类型裙', /no "#"/], ['类型#裙**材质#棉', /empty|no "#"/], ['#裙', /empty key/], ['类型#', /empty value/], ['类型#裙#长', /more than one "#"/]] as Array<[string, RegExp]>) {
      expect(() => parseAttrs(bad), bad).to.throw(AttributeError, re);
    }
  });

  it('coverage counts verbatim values; contradictions need another value of an input key', () => {
    const attrs = parseAttrs('类型#裙*颜色#白色*材质#雪纺');
    expect(attrCoverage(attrs, '白色雪纺裙')).to.equal(1);
    expect(attrCoverage(attrs, '白色的裙')).to.be.closeTo(2 / 3, 1e-12);
    const table = AttributeTable.fromAttrStrings(['颜色#白色*材质#雪纺', '颜色#红色*材质#棉', '颜色#酒红色', '风格#简约']);
    expect(table.contradictions(attrs, '白色雪纺裙')).to.have.length(0);
    expect(table.contradictions(attrs, '红色雪纺裙').map((c) => c.value)).to.deep.equal(['红色']);
    expect(table.contradictions(attrs, '简约的白色裙')).to.have.length(0); // 风格 is not an input key
    const wine = parseAttrs('颜色#酒红色');
    expect(table.contradictions(wine, '酒红色的裙子')).to.have.length(0); // 红色 inside 酒红色
  });

  it('derives tone and length buckets from copy by rule', () => {
    expect(toneOf('短小的文案。')).to.equal('concise');
    const long = '这款裙子'.repeat(25);
    expect(toneOf(`${long}超级好看！太美了！必备哦！吸睛满满！`)).to.equal('excited');
    expect(toneOf(`${long}面料舒适亲肤，透气柔软，品质放心，做工精致。`)).to.equal('reassuring');
    expect(toneOf(long)).to.equal('warm');
    expect(lengthOf('一'.repeat(90))).to.equal('short');
    expect(lengthOf('一'.repeat(130))).to.equal('long');
  });
});

describe('seq2seq: decoding helpers', () => {
  it('blocks tokens that would repeat an n-gram', () => {
    expect([...blockedTokens([5, 6, 7, 5, 6], 3)]).to.deep.equal([7]);
    expect([...blockedTokens([5, 6, 7, 5], 2)]).to.deep.equal([6]);
    expect(blockedTokens([5, 6, 7], 0).size).to.equal(0);
    // back-to-back repeats: 8 9 8 → 9 would make "8 9 8 9"; 5 6 7 5 6 → 7 would make "5 6 7 5 6 7"
    expect([...immediateRepeatTokens([1, 8, 9, 8], 4)]).to.deep.equal([9]);
    expect([...immediateRepeatTokens([5, 6, 7, 5, 6], 3)]).to.deep.equal([7]);
    expect(immediateRepeatTokens([3, 3], 4).size).to.equal(0); // single-character reduplication (美美) stays allowed
    expect(selfDistinct('abab')).to.be.closeTo(2 / 3, 1e-12); // the reranker's self-repetition term
  });

  it('samples only inside the top-p nucleus; temperature 0 is argmax', () => {
    const row = new Float32Array([0.5, 0.3, 0.15, 0.05]);
    const rand = rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(sampleToken(row, 1, 0.75, rand));
    expect([...seen].sort()).to.deep.equal([0, 1]);
    expect(sampleToken(row, 0, 1, rand)).to.equal(0);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 2000; i++) counts[sampleToken(row, 1, 1, rand)]++;
    expect(counts[0] / 2000).to.be.closeTo(0.5, 0.05);
    expect(counts[3]).to.be.greaterThan(0);
  });
});

describe('seq2seq: a tiny model', function () {
  this.timeout(300_000);
  let dir: string;
  let gen: Seq2SeqGenerator;

  before(async () => {
    await initRuntime();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-seq2seq-'));
    await trainGenerator({
      pairs: PAIRS, out: path.join(dir, 'model'), work: path.join(dir, 'work'), valSize: 0, epochs: 150, patience: 150, batchSize: 4, lr: 0.01, seed: 7,
      minCharCount: 1, maxTgt: 40, quiet: true, log: () => {}, config: { emb: 32, encHidden: 32, decHidden: 64, dropout: 0, copy: true },
    });
    gen = await loadGenerator(path.join(dir, 'model'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const src = (p: { content: string; summary: string }) => {
    const attrs = parseAttrs(p.content);
    return gen.source(attrs, { ...gen.controlsFor(attrs, { tone: toneOf(p.summary) }), length: lengthOf(p.summary) });
  };

  it('overfits a handful of pairs and reproduces them greedily', () => {
    for (const p of PAIRS) {
      const h = sampleRows(gen.model, src(p), [0], { maxLen: 40 })[0];
      expect(gen.vocab.decode(h.ids)).to.equal(p.summary);
    }
  });

  it('beam search (size 1 = greedy) returns n distinct hypotheses, best first', () => {
    const s = src(PAIRS[0]);
    const g = sampleRows(gen.model, s, [0], { maxLen: 40 })[0];
    const b1 = beamSearch(gen.model, s, { beamSize: 1, maxLen: 40 })[0];
    expect(b1.ids).to.deep.equal(g.ids);
    const b = beamSearch(gen.model, s, { beamSize: 4, n: 3, maxLen: 40, lengthPenalty: 0 });
    expect(b).to.have.length(3);
    expect(new Set(b.map((x) => x.ids.join(','))).size).to.equal(3);
    for (let i = 1; i < b.length; i++) expect(b[i - 1].logp).to.be.at.least(b[i].logp);
    expect(b[0].logp).to.be.at.least(g.logp - 1e-6);
  });

  it('sampling is seeded; higher temperature varies the output; length limits hold', () => {
    const s = src(PAIRS[1]);
    const a = sampleRows(gen.model, s, [2, 2, 2], { seed: 5, maxLen: 40 }).map((h) => h.ids.join(','));
    const b = sampleRows(gen.model, s, [2, 2, 2], { seed: 5, maxLen: 40 }).map((h) => h.ids.join(','));
    expect(a).to.deep.equal(b);
    const many = sampleRows(gen.model, s, new Array(8).fill(3), { seed: 9, maxLen: 40 }).map((h) => h.ids.join(','));
    expect(new Set(many).size).to.be.greaterThan(1);
    const short = sampleRows(gen.model, s, [0], { maxLen: 5 })[0];
    expect(short.ids.length).to.be.at.most(5);
    const long = sampleRows(gen.model, s, [0], { minLen: 20, maxLen: 30 })[0];
    expect(long.ids.length).to.be.at.least(20);
  });

  it('repetition blocking: no n-gram occurs twice in the output', () => {
    const s = src(PAIRS[2]);
    const h = sampleRows(gen.model, s, [0], { minLen: 30, maxLen: 30, noRepeatNgram: 2 })[0];
    const grams = h.ids.slice(1).map((t, i) => `${h.ids[i]},${t}`);
    expect(new Set(grams).size).to.equal(grams.length);
  });

  it('save/load round trip keeps weights and outputs', async () => {
    const again = await loadGenerator(path.join(dir, 'model'));
    for (const [name, v] of gen.model.w) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(v, again.model.w.get(name)!))).dataSync()[0]);
      expect(diff, name).to.equal(0);
    }
    const s = src(PAIRS[3]);
    expect(sampleRows(again.model, s, [0], { maxLen: 40 })[0].ids).to.deep.equal(sampleRows(gen.model, s, [0], { maxLen: 40 })[0].ids);
    const drafts = await again.generate({ attrs: PAIRS[3].content, tone: 'warm', n: 3 });
    expect(drafts).to.have.length(3);
    expect(new Set(drafts.map((d) => d.text)).size).to.equal(3);
  });

  it('refuses a broken model folder with a clear error', async () => {
    const broken = path.join(dir, 'broken');
    fs.mkdirSync(broken);
    fs.copyFileSync(path.join(dir, 'model', 'model.json'), path.join(broken, 'model.json'));
    fs.copyFileSync(path.join(dir, 'model', 'vocab.json'), path.join(broken, 'vocab.json'));
    fs.writeFileSync(path.join(broken, 'weights.bin'), Buffer.alloc(10));
    let err: Error | undefined;
    await loadGenerator(broken).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/weights\.bin has 10 bytes/);
  });
});

describe('seq2seq: retrieval (exemplars)', () => {
  const pairs = [
    ...PAIRS,
    { content: '类型#裙*颜色#白色*材质#雪纺*裙长#连衣裙', summary: '白色雪纺连衣裙，飘逸温柔。' },
    { content: '类型#裙*颜色#白色*材质#雪纺', summary: '白色雪纺裙，清新飘逸。' },
  ];

  it('nearest ranks by shared attributes (earlier first on ties) and can skip an item', () => {
    const index = new RetrievalIndex(pairs);
    const q = parseAttrs('类型#裙*颜色#白色*材质#雪纺');
    const all = index.nearest(q, 3);
    expect(all.map((h) => h.summary)).to.deep.equal([PAIRS[0].summary, pairs[5].summary, pairs[4].summary]);
    expect(index.nearest(q, 1, false, 0)[0].summary).to.equal(pairs[5].summary);
    expect(index.nearest(q, 10)).to.have.length(pairs.length);
  });

  it('a training pair never gets itself (nor a copy with the same text) as its exemplar', () => {
    const index = new RetrievalIndex(pairs);
    for (const k of [1, 2, 3]) {
      const ex = index.exemplarsForOwnPairs(k, rng(3));
      expect(ex).to.have.length(pairs.length);
      ex.forEach((e, i) => expect(e, `pair ${i}`).to.not.equal(pairs[i].summary));
    }
    // pair 0 and pair 5 share their text: pair 0's nearest exemplar is the 连衣裙 copy, the nearest with another text
    expect(index.exemplarsForOwnPairs(1, rng(3))[0]).to.equal(pairs[4].summary);
  });

  it("'copy' picks, among the nearest by attributes, the exemplar whose copy is closest to the pair's own", () => {
    const trousers = [
      { content: '类型#裤*颜色#黑色', summary: '黑色阔腿裤，遮肉显瘦！' },
      { content: '类型#裤*颜色#黑色*材质#牛仔', summary: '黑色牛仔裤，百搭。' },
      { content: '类型#裤*版型#宽松*裤型#阔腿裤', summary: '宽松阔腿裤，遮肉显瘦！' },
    ];
    const index = new RetrievalIndex(trousers);
    expect(index.exemplarsForOwnPairs(1, rng(1), 'random')[0]).to.equal(trousers[1].summary);
    expect(index.exemplarsForOwnPairs(2, rng(1), 'copy')[0]).to.equal(trousers[2].summary);
  });
});

describe('seq2seq: a tiny retrieval-augmented model', function () {
  this.timeout(300_000);
  let dir: string;

  before(async () => {
    await initRuntime();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-seq2seq-ex-'));
    const base = { pairs: PAIRS, valSize: 0, batchSize: 4, lr: 0.01, seed: 7, minCharCount: 1, maxTgt: 40, quiet: true, log: () => {}, config: { emb: 16, encHidden: 16, decHidden: 32, dropout: 0, copy: true } };
    await trainGenerator({ ...base, out: path.join(dir, 'plain'), work: path.join(dir, 'w1'), epochs: 3, patience: 3 });
    await trainGenerator({ ...base, out: path.join(dir, 'ex'), work: path.join(dir, 'w2'), epochs: 3, patience: 3, init: path.join(dir, 'plain'), exemplarChars: 12 });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('warm start keeps the trained vocabulary and appends the exemplar marker', async () => {
    const plain = await loadGenerator(path.join(dir, 'plain'));
    const ex = await loadGenerator(path.join(dir, 'ex'), { retrieval: new RetrievalIndex(PAIRS) });
    expect(ex.vocab.tokens.slice(0, plain.vocab.size)).to.deep.equal(plain.vocab.tokens);
    expect(ex.vocab.tokens[plain.vocab.size]).to.equal(EXEMPLAR);
    expect(ex.model.cfg.exemplarChars).to.equal(12);
    expect(ex.model.w.get('emb')!.shape[0]).to.equal(plain.vocab.size + 1);
    expect(plain.usesExemplars).to.equal(false);
    expect(ex.usesExemplars).to.equal(true);
  });

  it('decodes from one source per exemplar, each ending with the marker and at most exemplarChars characters of it', async () => {
    const ex = await loadGenerator(path.join(dir, 'ex'), { retrieval: new RetrievalIndex(PAIRS) });
    const attrs = parseAttrs(PAIRS[0].content);
    const c = ex.controlsFor(attrs, { tone: 'warm' });
    const srcs = ex.sources(attrs, c, 3);
    expect(srcs).to.have.length(3);
    const marker = ex.vocab.id(EXEMPLAR);
    const plainLen = ex.source(attrs, c).length;
    for (const s of srcs) {
      expect(s.indexOf(marker)).to.equal(plainLen);
      expect(s.length - plainLen - 1).to.be.within(1, 12);
    }
    // the nearest exemplar of pair 0 is its own copy (the index holds it): the source carries its first characters
    expect(ex.vocab.decode(srcs[0].slice(plainLen + 1))).to.equal(PAIRS[0].summary.slice(0, 12));
    const drafts = await ex.generate({ attrs: PAIRS[0].content, tone: 'warm', n: 3 });
    expect(drafts).to.have.length(3);
    for (const d of drafts) expect(d.text).to.not.include('<ex>');
    // without an index the same model writes from the plain source
    const alone = await loadGenerator(path.join(dir, 'ex'), { retrieval: new RetrievalIndex([]) });
    expect(alone.sources(attrs, c, 3)).to.deep.equal([ex.source(attrs, c)]);
  });

  it('a vocabulary without the marker refuses an exemplar', async () => {
    const plain = await loadGenerator(path.join(dir, 'plain'));
    const attrs = parseAttrs(PAIRS[0].content);
    expect(() => plain.vocab.encodeSource(attrs, plain.controlsFor(attrs, { tone: 'warm' }), { text: '白色', chars: 5 })).to.throw(/trained without exemplars/);
  });
});

describe('seq2seq: CLI', function () {
  this.timeout(180_000);
  const shipped = path.join(modelsDir(), 'generator', 'model.json');

  it('`generate` prints three different drafts with the shipped model', function () {
    if (!fs.existsSync(shipped)) this.skip();
    const r = cli(['generate', '--attrs', '类型#裙*材质#雪纺*风格#清新*裙型#a字*裙长#连衣裙', '--tone', 'warm', '--n', '3', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const drafts = (JSON.parse(r.stdout) as { drafts: Array<{ text: string }> }).drafts.map((d) => d.text);
    expect(drafts).to.have.length(3);
    expect(new Set(drafts).size).to.equal(3);
    for (const d of drafts) expect(d.length).to.be.greaterThan(20);
  });

  it('tones change the shipped model\'s drafts: excited carries more intensity markers, reassuring more comfort words', async function () {
    if (!fs.existsSync(shipped)) this.skip();
    const g = await loadGenerator();
    const attrs = ['类型#裙*材质#雪纺*风格#清新*裙型#a字*裙长#连衣裙', '类型#上衣*颜色#黑色*材质#针织*风格#简约*衣样式#毛衣'];
    const drafts: Record<string, string[]> = {};
    for (const tone of ['warm', 'excited', 'reassuring'] as const) {
      drafts[tone] = [];
      for (const a of attrs) drafts[tone].push(...(await g.generate({ attrs: a, tone, n: 2, seed: 3 })).map((d) => d.text));
    }
    const mean = (tone: string, scoreAs: 'excited' | 'reassuring') => drafts[tone].reduce((t, d) => t + toneScore(d, scoreAs), 0) / drafts[tone].length;
    expect(mean('excited', 'excited')).to.be.greaterThan(mean('warm', 'excited'));
    expect(mean('reassuring', 'reassuring')).to.be.greaterThan(mean('warm', 'reassuring'));
    let err: Error | undefined;
    await g.generate({ attrs: attrs[0], tone: 'angry' as 'warm', n: 2 }).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/unknown tone "angry"/);
  });

  it('`eval generator` prints one JSON object with the issue\'s fields and writes one {"text"} per input line, in order', function () {
    if (!fs.existsSync(shipped)) this.skip();
    const tmp = path.join(os.tmpdir(), `copydesk-eval-${process.pid}.jsonl`);
    const preds = `${tmp}.pred`;
    const pairs = [PAIRS[0], PAIRS[1], PAIRS[2]];
    fs.writeFileSync(tmp, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const sheet = `${tmp}.html`;
    const r = cli(['eval', 'generator', '--data', tmp, '--index', tmp, '--json', '--predictions-out', preds, '--sheet', sheet, '--sheet-size', '2']);
    const lines = fs.existsSync(preds) ? fs.readFileSync(preds, 'utf8').trim().split('\n') : [];
    const html = fs.existsSync(sheet) ? fs.readFileSync(sheet, 'utf8') : '';
    fs.rmSync(tmp);
    fs.rmSync(preds, { force: true });
    fs.rmSync(sheet, { force: true });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.have.length(1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ['bleu4', 'rouge1', 'rouge2', 'rougeL', 'distinct2', 'attr_coverage', 'contradiction_rate', 'n', 'seconds_per_draft']) expect(out[k], k).to.be.a('number');
    expect(out.n).to.equal(3);
    // corpus BLEU and the fault rates, for the model and the human references side by side
    expect(out.corpus_bleu4).to.be.a('number');
    const faults = out.faults as Record<string, number>;
    const human = out.human as { faults: Record<string, number>; distinct2: number; attr_coverage: number };
    for (const k of ['repeat_word_3x', 'foreign_latin', 'mid_sentence_end', 'foreign_part', 'any_fault']) {
      expect(faults[k], k).to.be.within(0, 1);
      expect(human.faults[k], `human ${k}`).to.be.within(0, 1);
    }
    expect(faults.any_fault).to.equal(0);
    expect(human.distinct2).to.be.a('number');
    // the sheet: 2 inputs, attributes, human copy and drafts, escaped
    expect(html).to.match(/^<!doctype html>/);
    expect(html.match(/<tr><td>\d+<\/td>/g)).to.have.length(2);
    expect(html).to.contain('雪纺');
    expect(html).to.contain('白色雪纺裙，清新飘逸。');
    expect(out.decode).to.equal('rerank');
    expect(lines).to.have.length(3);
    const texts = lines.map((l) => (JSON.parse(l) as { text: string }).text);
    for (const t of texts) expect(t.length).to.be.greaterThan(10);
    // the first input is a 裙 (dress), the second a 裤 (trousers): the outputs follow the input order
    expect(texts[0]).to.contain('裙');
    expect(texts[1]).to.contain('裤');
  });

  it('clear one-line errors for malformed attributes, options and files', () => {
    const a = cli(['generate', '--attrs', '类型裙', '--tone', 'warm']);
    expect(a.status).to.equal(2);
    expect(a.stderr.trim().split('\n')).to.have.length(1);
    expect(a.stderr).to.match(/bad attribute string.*no "#"/);
    const tmp = path.join(os.tmpdir(), `copydesk-bad-${process.pid}.jsonl`);
    fs.writeFileSync(tmp, '{"content": "类型#裙", "summary": "好看"}\n{"content": "no attributes", "summary": "x"}\n');
    const e = cli(['eval', 'generator', '--data', tmp, '--peer', 'retrieval', '--index', tmp, '--json']);
    fs.rmSync(tmp);
    expect(e.status).to.equal(2);
    expect(e.stderr).to.match(/:2 \(field "content"\)/);
  });
});

describe('generator output placeholders', () => {
  it('never shows the dataset placeholders BRAND / <UNK> in copy', () => {
    const { withoutPlaceholders } = require('../core/seq2seq/generator');
    expect(withoutPlaceholders('BRAND这款雪纺衫<UNK>很仙')).to.equal('这款雪纺衫很仙');
    expect(withoutPlaceholders('纯棉T恤')).to.equal('纯棉T恤');
  });
});

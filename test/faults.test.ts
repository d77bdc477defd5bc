/**
 * The faults a reviewer rejects generated copy for (core/seq2seq/metrics.ts), the learnt copy lexicon
 * (core/seq2seq/lexicon.ts) and the decoding constraints that keep the faults out (core/seq2seq/constraints.ts).
 */
import { expect } from 'chai';
import * as path from 'path';
import { copyFaults, endsMidSentence, faultKinds, faultRates, foreignLatin, foreignParts, repeatedWords } from '../core/seq2seq/metrics';
import { learnLexicon, loadLexicon, CopyLexicon } from '../core/seq2seq/lexicon';
import { CopyConstraints, END_BOOST } from '../core/seq2seq/constraints';
import { parseAttrs } from '../core/seq2seq/attrs';
import { CharVocab, EOS, SPECIALS } from '../core/seq2seq/vocab';
import { modelsDir } from '../core/util/paths';
import { highlightFaults, renderSheet } from '../core/seq2seq/sheet';

const shipped = (): CopyLexicon => {
  const lex = loadLexicon(path.join(modelsDir(), 'generator'));
  if (!lex) throw new Error('models/generator/copy_lexicon.json is missing');
  return lex;
};

describe('faults: metrics', () => {
  it('a jieba word of 2+ Chinese characters used 3+ times is a repeat; twice is not', () => {
    expect(repeatedWords('简约的设计，简约的风格，简约大方。')).to.deep.equal(['简约']);
    expect(repeatedWords('简约的设计，简约的风格。')).to.deep.equal([]);
    // single characters do not count
    expect(repeatedWords('的的的的。')).to.deep.equal([]);
  });

  it('Latin tokens of 2+ letters count unless an attribute value has them (any case)', () => {
    const attrs = parseAttrs('类型#上衣*领型#polo领*衣样式#T恤');
    expect(foreignLatin('这款pulo衫搭配T恤', attrs)).to.deep.equal(['pulo']);
    expect(foreignLatin('经典的POLO领，T恤', attrs)).to.deep.equal([]);
    expect(foreignLatin('v领设计', attrs)).to.deep.equal([]);
  });

  it('a copy ends mid-sentence on ，、 or a dangling particle', () => {
    expect(endsMidSentence('很好看，')).to.equal(true);
    expect(endsMidSentence('时尚、')).to.equal(true);
    expect(endsMidSentence('展现出女性的')).to.equal(true);
    expect(endsMidSentence('让你轻松穿出时尚和')).to.equal(true);
    expect(endsMidSentence('优雅气质。')).to.equal(false);
    expect(endsMidSentence('超好看！')).to.equal(false);
    expect(endsMidSentence('')).to.equal(true);
  });

  it('the shipped lexicon bans the issue\'s foreign parts and keeps each category\'s own', () => {
    const lex = shipped();
    const trousers = parseAttrs('类型#裤*裤型#阔腿裤');
    const top = parseAttrs('类型#上衣*衣样式#衬衫');
    const dress = parseAttrs('类型#裙*裙长#连衣裙');
    expect(foreignParts('袖口和领口的设计，裤腿宽松。', trousers, lex)).to.have.members(['袖', '袖口', '领口']);
    expect(foreignParts('裤腿宽松，裙摆飘逸。', top, lex)).to.have.members(['裤腿', '裙摆']);
    expect(foreignParts('裤腿宽松，裙摆飘逸，袖口收紧。', dress, lex)).to.deep.equal(['裤腿']);
    expect(foreignParts('裙摆飘逸。', trousers, lex)).to.deep.equal(['裙摆']);
    // categories AdvertiseGen has no copy for: a coat is a top; boots have no sleeves but do touch the legs
    expect(foreignParts('袖口收紧，领口圆润。', parseAttrs('类型#外套'), lex)).to.deep.equal([]);
    expect(foreignParts('袖口和下摆处，修饰腿部线条。', parseAttrs('类型#鞋*鞋型#马丁靴'), lex)).to.have.members(['袖', '袖口', '下摆']);
    // a part named in the item's own attributes is never foreign
    expect(foreignParts('七分袖的设计。', parseAttrs('类型#裤*袖长#七分袖'), lex)).to.deep.equal([]);
  });

  it('copyFaults / faultKinds / faultRates count each kind once per copy', () => {
    const lex = shipped();
    const attrs = parseAttrs('类型#裤*风格#通勤');
    const bad = '通勤的通勤风格，袖口pulo设计，通勤都是';
    const f = copyFaults(bad, attrs, lex);
    expect(f.repeat).to.deep.equal(['通勤']);
    expect(f.latin).to.deep.equal(['pulo']);
    expect(f.midSentence).to.equal(true);
    expect(f.parts).to.include('袖口');
    expect(faultKinds(f)).to.equal(4);
    const good = '通勤风格的阔腿裤，裤脚利落。';
    expect(faultKinds(copyFaults(good, attrs, lex))).to.equal(0);
    expect(faultRates([{ attrs, text: bad }, { attrs, text: good }], lex)).to.deep.equal({ repeat_word_3x: 0.5, foreign_latin: 0.5, mid_sentence_end: 0.5, foreign_part: 0.5, any_fault: 0.5 });
  });
});

describe('faults: learning the lexicon', () => {
  it('a part belongs to a category whose copy names it at least 0.2 × as often as the category naming it most', () => {
    const pairs = [
      ...new Array(20).fill(0).map((_, i) => ({ content: '类型#上衣', summary: i < 16 ? '袖口收紧，飘飘然。' : '简约。' })),
      ...new Array(20).fill(0).map((_, i) => ({ content: '类型#裤', summary: i < 2 ? '搭配短袖口，裤脚利落。' : '裤脚利落。' })),
    ];
    const lex = learnLexicon(pairs);
    expect(lex.allowed['上衣']).to.include('袖口');
    expect(lex.allowed['裤']).to.include('裤脚');
    expect(lex.allowed['裤']).not.to.include('袖口'); // 10 % of 裤 copies vs 80 % of 上衣 copies
    expect(lex.allowed['上衣']).not.to.include('裤脚');
    expect(lex.doubles).to.deep.equal(['飘']); // 16 times inside the word 飘飘然
    expect(lex.allowed['外套']).to.deep.equal(lex.allowed['上衣']);
    expect(lex.follow?.['裤']).to.deep.equal({ 脚: 1 }); // 20 times; 袖 (18 times) is too rare to keep
    expect(lex.follow?.['袖']).to.equal(undefined);
  });
});

describe('faults: decoding constraints', () => {
  const chars = Array.from('简约设计风格。，的美裤七分袖口领腿polxyz');
  const vocab = new CharVocab([...SPECIALS, ...chars]);
  const id = (c: string) => vocab.index.get(c)!;
  const ids = (s: string) => Array.from(s).map(id);
  const lex: CopyLexicon = { parts: ['袖', '袖口', '领口', '裤腿'], allowed: { 裤: ['裤腿'], 上衣: ['袖', '袖口', '领口'] }, doubles: ['美'], follow: { 设: { 计: 0.9 }, 领: { 口: 0.5, 的: 0.5 } } };
  const rowAfter = (k: CopyConstraints, prefix: string, maxLen = 100) => {
    const row = new Float32Array(vocab.size).fill(1);
    k.apply(row, ids(prefix), maxLen);
    return row;
  };

  it('a Chinese bigram may not occur a third time, and a character whose usual continuation is used up is avoided', () => {
    const k = new CopyConstraints(vocab, parseAttrs('类型#上衣'), lex);
    expect(rowAfter(k, '简约设计，简约风格，简')[id('约')]).to.equal(0);
    expect(rowAfter(k, '简约设计，简约风格，简')[id('格')]).to.equal(1);
    expect(rowAfter(k, '简约设计，简')[id('约')]).to.equal(1);
    // 设 is followed by 计 90 % of the time: once 设计 was written twice, 设 keeps 10 % of its probability
    expect(rowAfter(k, '设计，设计，')[id('设')]).to.be.closeTo(0.1, 1e-6);
  });

  it('no character three times in a row; twice only when human copy doubles it; no value restarted (七分七)', () => {
    const k = new CopyConstraints(vocab, parseAttrs('类型#裤*裤长#七分裤'), lex);
    expect(rowAfter(k, '美美')[id('美')]).to.equal(0);
    expect(rowAfter(k, '美')[id('美')]).to.equal(1);
    expect(rowAfter(k, '裤')[id('裤')]).to.equal(0);
    expect(rowAfter(k, '七分')[id('七')]).to.equal(0);
    expect(rowAfter(k, '七分')[id('裤')]).to.equal(1);
  });

  it('Latin letters only while copying a Latin token of the attributes, which must be finished', () => {
    const k = new CopyConstraints(vocab, parseAttrs('类型#上衣*领型#polo领'), lex);
    const first = rowAfter(k, '经典');
    expect(first[id('p')]).to.equal(1);
    expect(first[id('x')]).to.equal(0);
    expect(first[id('o')]).to.equal(0);
    const mid = rowAfter(k, '经典po');
    expect(mid[id('l')]).to.equal(1);
    expect(mid[id('领')]).to.equal(0);
    expect(mid[id('o')]).to.equal(0);
    const done = rowAfter(k, '经典polo');
    expect(done[id('领')]).to.equal(1);
    expect(done[id('p')]).to.equal(0);
    const none = new CopyConstraints(vocab, parseAttrs('类型#上衣'), lex);
    for (const c of 'polxyz') expect(rowAfter(none, '经典')[id(c)]).to.equal(0);
  });

  it('no part foreign to the category; its first character is avoided by the share of its continuations that are blocked', () => {
    const k = new CopyConstraints(vocab, parseAttrs('类型#裤'), lex);
    expect(rowAfter(k, '的')[id('袖')]).to.equal(0);
    expect(rowAfter(k, '领')[id('口')]).to.equal(0);
    expect(rowAfter(k, '的')[id('领')]).to.be.closeTo(0.5, 1e-6);
    expect(rowAfter(k, '裤')[id('腿')]).to.equal(1);
    const top = new CopyConstraints(vocab, parseAttrs('类型#上衣'), lex);
    expect(rowAfter(top, '的')[id('袖')]).to.equal(1);
    expect(rowAfter(top, '裤')[id('腿')]).to.equal(0);
  });

  it('ends only after a sentence end; past the length target a sentence end finishes the copy; unfinished rows are cut back', () => {
    const k = new CopyConstraints(vocab, parseAttrs('类型#裙'), lex);
    expect(rowAfter(k, '')[EOS]).to.equal(0);
    expect(rowAfter(k, '简约，')[EOS]).to.equal(0);
    expect(rowAfter(k, '简约的')[EOS]).to.equal(0);
    expect(rowAfter(k, '简约。')[EOS]).to.equal(1);
    const over = rowAfter(k, '简约设计', 3);
    expect(over[id('。')]).to.equal(END_BOOST);
    const end = rowAfter(k, '简约设计。', 3);
    expect(end[EOS]).to.equal(1);
    expect([...end].reduce((a, b) => a + b, 0)).to.equal(1);
    expect(vocab.decode(k.trimUnfinished(ids('简约。设计，风格')))).to.equal('简约。');
    expect(vocab.decode(k.trimUnfinished(ids('简约，风格')))).to.equal('简约，风格');
  });
});

describe('faults: the reading sheet', () => {
  it('escapes all text and marks each fault span', () => {
    const lex = shipped();
    const attrs = parseAttrs('类型#裤*风格#<b>通勤</b>');
    const text = '通勤的通勤风格，袖口<script>x</script>，通勤都是';
    const html = highlightFaults(text, copyFaults(text, attrs, lex));
    expect(html).not.to.contain('<script>');
    expect(html).to.contain('&lt;<mark class="latin">script</mark>&gt;');
    expect(html.match(/<mark class="repeat">通勤<\/mark>/g)).to.have.length(3);
    expect(html).to.contain('<mark class="part">袖口</mark>');
    expect(html).to.match(/<mark class="end">是<\/mark>$/);
    const page = renderSheet([{ attrs, human: '好看的<i>裤子</i>。', drafts: [{ label: 'draft <1>', text }] }], { title: 'sheet & co', lexicon: lex });
    expect(page).to.contain('<title>sheet &amp; co</title>');
    expect(page).to.contain('&lt;b&gt;通勤&lt;/b&gt;');
    expect(page).to.contain('draft &lt;1&gt;');
    expect(page).not.to.match(/<i>|<b>通勤/);
    expect(page).to.contain('no fault');
  });
});

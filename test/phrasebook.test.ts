/**
 * Retrieval-composed candidates (core/seq2seq/phrasebook.ts): which human sentences an item may use
 * (facts all in its attributes, same category, no foreign part), how a composed copy is joined (the
 * model's opening, sentences from different exemplars, no bigram a third time), and the use memory.
 */
import { expect } from 'chai';
import { AttributeTable, parseAttrs } from '../core/seq2seq/attrs';
import { agreement, compose, Composer, PhraseBook, sentences } from '../core/seq2seq/phrasebook';
import type { PartLexicon } from '../core/seq2seq/metrics';

const table = AttributeTable.fromAttrStrings([
  '类型#裙*材质#雪纺*颜色#白色*裙长#连衣裙*裙款式#腰带',
  '类型#裤*材质#牛仔布*裤型#阔腿裤*颜色#黑色',
  '类型#上衣*衣样式#衬衫*衣袖长#短袖*颜色#红色',
]);
const lexicon: PartLexicon = { parts: ['袖口', '裙摆', '裤腿'], allowed: { 裙: ['裙摆'], 裤: ['裤腿'], 上衣: ['袖口'] } };
const pairs = [
  { content: '类型#裙*材质#雪纺*颜色#白色', summary: '这款连衣裙很美。雪纺面料轻盈飘逸，穿着透气舒适。白色的裙身清新干净，裙摆随风摆动。' },
  { content: '类型#裙*颜色#黑色*裙款式#腰带', summary: '一条优雅的裙子。腰间搭配同色腰带，勾勒纤细腰线。黑色显得神秘高级，适合各种场合。' },
  { content: '类型#裙*材质#雪纺', summary: '这条裙子适合夏天。真丝与雪纺混合，手感顺滑细腻。袖口的荷叶边设计，甜美俏皮。' },
  { content: '类型#裤*材质#牛仔布', summary: '经典的牛仔裤。牛仔布面料挺括耐穿，裤腿宽松利落。' },
];

describe('phrase book: retrieval-composed candidates', () => {
  const book = PhraseBook.build(pairs, table);

  it('splits copy into sentences at sentence marks and drops an unfinished tail', () => {
    expect(sentences('第一句。第二句！第三句？？尾巴，')).to.deep.equal(['第一句。', '第二句！', '第三句？？']);
  });

  it('keeps only sentences that can be used: not openings, naming an attribute value, no fact no attribute carries', () => {
    const texts = book.units.map((u) => u.text);
    expect(texts).to.include('雪纺面料轻盈飘逸，穿着透气舒适。');
    expect(texts).to.not.include('这款连衣裙很美。'); // an opening: composed copy opens with the model's sentence
    expect(texts).to.not.include('这条裙子适合夏天。');
    expect(texts.some((t) => t.includes('真丝'))).to.equal(false); // 真丝 is a fact no attribute value carries
    expect(texts).to.not.include('袖口的荷叶边设计，甜美俏皮。'); // names no attribute value
  });

  it('offers an item only sentences whose every value is its own, of its category, without foreign parts', () => {
    const attrs = parseAttrs('类型#裙*材质#雪纺*颜色#白色*裙款式#腰带');
    const usable = book.usable(attrs, lexicon).map((u) => u.text);
    expect(usable).to.include('雪纺面料轻盈飘逸，穿着透气舒适。');
    expect(usable).to.include('腰间搭配同色腰带，勾勒纤细腰线。');
    expect(usable).to.not.include('黑色显得神秘高级，适合各种场合。');
    expect(usable.some((t) => t.includes('牛仔'))).to.equal(false); // another category
    const trousers = book.usable(parseAttrs('类型#裤*材质#牛仔布'), lexicon).map((u) => u.text);
    expect(trousers).to.deep.equal(['牛仔布面料挺括耐穿，裤腿宽松利落。']);
    const onTop = { ...lexicon, allowed: { ...lexicon.allowed, 裤: [] } };
    expect(book.usable(parseAttrs('类型#裤*材质#牛仔布'), onTop)).to.deep.equal([]); // 裤腿 foreign there
  });

  it('composes the model opening with sentences from different exemplars, covering values, each sentence once', () => {
    const attrs = parseAttrs('类型#裙*材质#雪纺*颜色#白色*裙款式#腰带');
    const out = compose(book, attrs, { k: 2, lead: '这款连衣裙简约大方。', lexicon, target: 40 });
    expect(out.length).to.be.greaterThan(0);
    for (const c of out) {
      expect(c.text.startsWith('这款连衣裙简约大方。')).to.equal(true);
      expect(c.units).to.not.include('这款连衣裙简约大方。');
      expect(new Set(c.units).size).to.equal(c.units.length);
      expect(c.text).to.match(/[。！？]$/);
    }
    expect(out[0].units.some((u) => u.includes('腰带') || u.includes('雪纺') || u.includes('白色'))).to.equal(true);
  });

  it('prefers sentences that agree with the model candidates, and remembers what chosen drafts used', () => {
    const agree = agreement(['雪纺面料轻盈飘逸，穿着舒适']);
    expect(agree('雪纺面料轻盈飘逸，穿着透气舒适。')).to.be.greaterThan(agree('腰间搭配同色腰带，勾勒纤细腰线。'));
    const composer = new Composer(book, lexicon, { k: 0, led: 1, target: 30, affinityWeight: 100, logpOffset: 0 });
    const attrs = parseAttrs('类型#裙*材质#雪纺*颜色#白色');
    const cands = composer.candidates(attrs, [{ text: '这款裙子很美。雪纺面料轻盈飘逸，穿着舒适。', meanLogp: -1, source: 'greedy' } as { text: string; meanLogp: number }], 1);
    expect(cands).to.have.length(1);
    expect(cands[0].text.startsWith('这款裙子很美。')).to.equal(true);
    expect(cands[0].units[0]).to.equal('雪纺面料轻盈飘逸，穿着透气舒适。');
    expect(cands[0].meanLogp).to.equal(-1);
    composer.chosen(cands[0]);
    expect(composer.used.get('雪纺面料轻盈飘逸，穿着透气舒适。')).to.equal(1);
  });
});

import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { normalize, segment, chars, isStopword, removeStopwords, Vocab, readWordList, USER_DICT_FILE, PAD_ID, UNK_ID, BOS_ID, EOS_ID } from '../core/text';
import { HANDKEPT_FILE, defaultJiebaWords, dictionaryWorthy } from '../core/text/build-dict';
import { loadAdvertiseGen, sharedPath, SHARED } from '../core/data/datasets';
import { parseAttributes } from '../core/data/attributes';
import { DataError } from '../core/data/errors';

/** Sentences with e-commerce words that must come out whole. */
const KEEP_WHOLE: Array<[string, string[]]> = [
  ['这条雪纺连衣裙很显瘦，百搭款', ['雪纺连衣裙', '显瘦', '百搭']],
  ['宽松显瘦的雪纺衫', ['显瘦', '雪纺衫']],
  ['阔腿裤偏小，有色差', ['阔腿裤', '偏小', '色差']],
  ['a字裙配小白鞋，包邮好评', ['a字裙', '小白鞋', '包邮', '好评']],
  ['高腰九分裤配马丁靴', ['高腰', '九分裤', '马丁靴']],
  ['泡泡袖半身裙很百搭', ['泡泡袖', '半身裙', '百搭']],
  ['洗了掉色还起球，性价比不高', ['掉色', '起球', '性价比']],
  ['尺码偏大一码，建议拍小', ['尺码', '偏大']],
];

function contains(tokens: string[], words: string[]): string[] {
  return words.filter((w) => !tokens.includes(w));
}

describe('text core', function () {
  describe('normalize', () => {
    it('turns full-width letters and digits into ASCII and lower-cases Latin', () => {
      expect(normalize('ＸＬ码１００％纯棉 ＳＩＺＥ')).to.equal('xl码100%纯棉 size');
    });
    it('keeps Chinese sentence punctuation and converts ASCII punctuation next to Chinese', () => {
      expect(normalize('好评！！物流很快，客服也好？')).to.equal('好评！！物流很快，客服也好？');
      expect(normalize('好评!!物流很快,客服也好.')).to.equal('好评！！物流很快，客服也好。');
      expect(normalize('价格1,000元, 1.5米')).to.equal('价格1,000元，1.5米');
    });
    it('strips BOM, zero-width and control characters and collapses whitespace', () => {
      expect(normalize('\uFEFF  全角\u3000空格\t\n和\u200b零宽\u0007  ')).to.equal('全角 空格 和零宽');
    });
    it('replaces URLs by <url> (or removes them)', () => {
      expect(normalize('看这里 https://shop.example.com/item?id=3。很棒')).to.equal('看这里 <url>。很棒');
      expect(normalize('店铺www.example.cn/a, 不错')).to.equal('店铺<url>，不错');
      expect(normalize('看 http://x.cn 好', { url: 'remove' })).to.equal('看 好');
    });
    it('maps a run of emoji (ZWJ, skin tones, flags, VS16) to one <emoji>, or removes them', () => {
      expect(normalize('喜欢😍😍 👍🏻 颜色❤️超美')).to.equal('喜欢<emoji> 颜色<emoji>超美');
      expect(normalize('👨‍👩‍👧家庭装🇨🇳')).to.equal('<emoji>家庭装<emoji>');
      expect(normalize('好看😍', { emoji: 'remove' })).to.equal('好看');
      expect(normalize('©2024')).to.equal('©2024');
    });
    it('is idempotent', () => {
      for (const s of ['好评!!物流很快,客服也好.', 'ＸＬ码 😍 https://a.b/c', '（均码）～']) {
        expect(normalize(normalize(s))).to.equal(normalize(s));
      }
    });
  });

  describe('segment', () => {
    it('keeps e-commerce words whole', () => {
      for (const [sentence, words] of KEEP_WHOLE) {
        expect(contains(segment(sentence), words), `${sentence} → ${segment(sentence).join('/')}`).to.deep.equal([]);
      }
    });

    it('default jieba (without our dictionary) splits those words, so the dictionary is what keeps them whole', () => {
      // A separate process: nodejieba's dictionary is global to a process.
      const script = `const j=require('nodejieba');j.load();process.stdout.write(JSON.stringify(${JSON.stringify(KEEP_WHOLE.map((k) => k[0]))}.map(s=>j.cut(s.toLowerCase(),true))))`;
      const cuts = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[][];
      const splitByDefault = KEEP_WHOLE.flatMap(([, words], i) => contains(cuts[i], words));
      for (const w of ['雪纺连衣裙', '显瘦', '百搭', 'a字裙', '小白鞋', '九分裤', '马丁靴', '泡泡袖', '雪纺衫', '偏小']) {
        expect(splitByDefault, w).to.include(w);
      }
      // … and words jieba already knows stay whole with our dictionary too (色差 is not turned into 有色/差).
      expect(segment('有色差')).to.deep.equal(['有', '色差']);
    });

    it('has every hand-kept word in the user dictionary or in jieba’s own (rebuild with core/text/build-dict.ts)', () => {
      const dict = new Set(readWordList(USER_DICT_FILE).map((l) => l.split(" ")[0]));
      const known = defaultJiebaWords();
      const missing = readWordList(HANDKEPT_FILE).filter((w) => !dict.has(w) && !known.has(w));
      expect(missing).to.deep.equal([]);
    });

    it('keeps every AdvertiseGen attribute value (the dictionary source) whole', () => {
      const values = new Set<string>();
      for (const r of loadAdvertiseGen(sharedPath(SHARED.advertiseGen)).rows) {
        for (const a of parseAttributes(r.content)) if (dictionaryWorthy(a.value)) values.add(a.value);
      }
      expect(values.size).to.be.greaterThan(250);
      expect([...values].filter((v) => segment(v).length !== 1)).to.deep.equal([]);
    });

    it('drops whitespace, keeps placeholders, and removes stopwords on request', () => {
      expect(segment('看 http://x.cn 好看😍')).to.deep.equal(['看', '<url>', '好看', '<emoji>']);
      expect(segment('我们的衣服很好看，但是有点偏小啊', { stopwords: true })).to.deep.equal(['衣服', '很', '好看', '但是', '有点', '偏小']);
      expect(segment('ＸＬ码', { normalize: false })).to.not.deep.equal(segment('ＸＬ码'));
    });
  });

  describe('chars and stopwords', () => {
    it('gives character tokens with Latin words and numbers kept together', () => {
      expect(chars('ＸＬ码的裙子1.5米 good!😍')).to.deep.equal(['xl', '码', '的', '裙', '子', '1.5', '米', 'good', '!', '<emoji>']);
    });
    it('treats listed words and punctuation as stopwords, but not negations or placeholders', () => {
      expect(isStopword('的')).to.equal(true);
      expect(isStopword('，')).to.equal(true);
      expect(isStopword('!!')).to.equal(true);
      for (const w of ['不', '没', '很', '太', '但是', '<url>', '面料']) expect(isStopword(w), w).to.equal(false);
      expect(removeStopwords(['这个', '面料', '不', '好', '。'])).to.deep.equal(['面料', '不', '好']);
    });
  });

  describe('Vocab', () => {
    const seqs = [
      ['雪纺', '连衣裙', '显瘦'],
      ['雪纺', '阔腿裤'],
      ['雪纺', '显瘦', '百搭'],
    ];

    it('puts the specials first, then tokens by frequency, honouring minFreq and maxSize', () => {
      const v = Vocab.build(seqs, { specials: ['<tone:warm>'] });
      expect([0, 1, 2, 3, 4].map((i) => v.token(i))).to.deep.equal(['<pad>', '<unk>', '<bos>', '<eos>', '<tone:warm>']);
      expect(v.token(5)).to.equal('雪纺');
      expect(v.token(6)).to.equal('显瘦');
      expect(v.size).to.equal(5 + 5);
      expect(Vocab.build(seqs, { minFreq: 2 }).size).to.equal(4 + 2);
      expect(Vocab.build(seqs, { maxSize: 5 }).size).to.equal(5);
      expect(() => Vocab.build(seqs, { maxSize: 3 })).to.throw(/smaller than/);
    });

    it('encodes with bos/eos, unknowns, truncation and padding, and decodes back', () => {
      const v = Vocab.build(seqs);
      const ids = v.encode(['雪纺', '牛仔', '显瘦'], { bos: true, eos: true, maxLen: 8, pad: true });
      expect(ids).to.have.length(8);
      expect(ids[0]).to.equal(BOS_ID);
      expect(ids[2]).to.equal(UNK_ID);
      expect(ids[4]).to.equal(EOS_ID);
      expect(ids.slice(5)).to.deep.equal([PAD_ID, PAD_ID, PAD_ID]);
      expect(v.decode(ids)).to.deep.equal(['雪纺', '<unk>', '显瘦']);
      expect(v.decode(ids, { stripSpecials: false })).to.deep.equal(['<bos>', '雪纺', '<unk>', '显瘦', '<eos>', '<pad>', '<pad>', '<pad>']);
      const cut = v.encode(['雪纺', '显瘦', '百搭', '阔腿裤'], { bos: true, eos: true, maxLen: 4 });
      expect(cut).to.deep.equal([BOS_ID, v.id('雪纺'), v.id('显瘦'), EOS_ID]);
      expect(() => v.encode(['雪纺'], { pad: true })).to.throw(/maxLen/);
      expect(() => v.token(99)).to.throw(RangeError);
    });

    it('builds word- and char-level vocabularies from texts', () => {
      const texts = ['雪纺连衣裙很显瘦', '阔腿裤很百搭'];
      const w = Vocab.fromTexts(texts);
      expect(w.has('显瘦') && w.has('阔腿裤')).to.equal(true);
      const c = Vocab.fromTexts(texts, { level: 'char' });
      expect(c.level).to.equal('char');
      expect(c.has('纺') && !c.has('雪纺')).to.equal(true);
      expect(c.decode(c.encodeText('很显瘦'))).to.deep.equal(['很', '显', '瘦']);
    });

    it('saves and loads as JSON, and refuses malformed files naming them', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-'));
      const v = Vocab.build(seqs, { specials: ['<tone:warm>'], level: 'word' });
      const file = path.join(dir, 'vocab.json');
      v.save(file);
      const back = Vocab.load(file);
      expect(back.toJSON()).to.deep.equal(v.toJSON());
      expect(back.extraSpecials).to.deep.equal(['<tone:warm>']);
      expect(back.decode(back.encode(['百搭', '雪纺']))).to.deep.equal(['百搭', '雪纺']);

      const broken = path.join(dir, 'broken.json');
      fs.writeFileSync(broken, '{"format": "copydesk-vocab", "tokens": [');
      expect(() => Vocab.load(broken)).to.throw(DataError).with.property('file', broken);
      expect(() => Vocab.load(broken)).to.throw(/malformed JSON/);
      fs.writeFileSync(broken, JSON.stringify({ ...v.toJSON(), tokens: ['<unk>', '<pad>', '<bos>', '<eos>'] }));
      expect(() => Vocab.load(broken)).to.throw(DataError).with.property('field', 'tokens');
      fs.writeFileSync(broken, JSON.stringify({ ...v.toJSON(), tokens: [...v.toJSON().tokens, '雪纺'] }));
      expect(() => Vocab.load(broken)).to.throw(/appears twice/);
      expect(() => Vocab.load(path.join(dir, 'nope.json'))).to.throw(DataError, /not found/);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});

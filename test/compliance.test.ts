/** Ad-law compliance: detection (with false positives kept out), rewriting, the rule files, and a fuzz of forbidden text. */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkText, findViolations, isCompliant, rewrite } from '../core/compliance/check';
import { defaultRules, loadRules, loadTermsFile } from '../core/compliance/rules';
import { seededRng } from '../core/util/random';
import { DataError } from '../core/data/errors';

describe('compliance: detection', () => {
  it('finds absolute terms, national claims, medical claims and blacklisted brands with their category', () => {
    const found = (t: string) => findViolations(t).map((v) => `${v.term}:${v.category}`);
    expect(found('这是最美的裙子')).to.deep.equal(['最美:absolute']);
    expect(found('销量第一，顶级面料，极品手感')).to.deep.equal(['销量第一:absolute', '顶级:absolute', '极品:absolute']);
    expect(found('国家级工艺')).to.deep.equal(['国家级:national']);
    expect(found('穿上能减肥还能抗癌')).to.deep.equal(['减肥:medical', '抗癌:medical']);
    expect(found('100%好评，绝对万能，特效')).to.deep.equal(['100%:absolute', '绝对:absolute', '万能:absolute', '特效:medical']);
    expect(found('和优衣库同款')).to.deep.equal(['优衣库:brand']);
  });
  it('keeps longer terms whole (最低价 is not 最 + 低价)', () => {
    expect(findViolations('全网最低价').map((v) => v.term)).to.deep.equal(['全网最低价']);
  });
  it('does not flag fine words that contain a term', () => {
    for (const ok of ['最近上新的连衣裙', '最后几件', '第一次穿就爱上', '100%纯棉面料', '100%桑蚕丝', '显瘦百搭', '第一眼就心动', '客服第一时间处理', 'SLIVER']) {
      expect(findViolations(ok), ok).to.deep.equal([]);
    }
  });
  it('sees through spacing, zero-width characters, full-width forms and letter case', () => {
    expect(findViolations('绝 对好看').map((v) => v.term)).to.deep.equal(['绝对']);
    expect(findViolations('顶\u200b级').map((v) => v.term)).to.deep.equal(['顶级']);
    expect(findViolations('１００％好评').map((v) => v.term)).to.deep.equal(['100%']);
    expect(findViolations('zara同款').map((v) => v.term)).to.deep.equal(['ZARA']);
  });
});

describe('compliance: rewriting', () => {
  it('replaces terms that have a replacement and drops clauses that cannot be fixed', () => {
    const r = rewrite('最新款雪纺连衣裙，国家级工艺。夏天穿清爽透气。');
    expect(r.ok).to.equal(true);
    expect(r.text).to.equal('新款雪纺连衣裙。夏天穿清爽透气。');
    expect(r.findings).to.deep.equal([
      { term: '最新', category: 'absolute', action: 'replaced', replacement: '新' },
      { term: '国家级', category: 'national', action: 'dropped' },
    ]);
  });
  it('drops a whole sentence when every clause of it violates', () => {
    const r = rewrite('雪纺连衣裙轻盈飘逸。穿上能减肥！夏天必备。');
    expect(r.text).to.equal('雪纺连衣裙轻盈飘逸。夏天必备。');
  });
  it('withholds a text with nothing compliant left', () => {
    const r = rewrite('国家级特效减肥');
    expect(r.withheld).to.equal(true);
    expect(r.text).to.equal('');
    expect(r.findings.some((f) => f.action === 'withheld' || f.action === 'dropped')).to.equal(true);
  });
  it('catches a term formed by deleting another (第绝对一 → 第一)', () => {
    const r = rewrite('这件是第绝对一名的好裙子，穿着舒服又好看。');
    expect(isCompliant(r.text)).to.equal(true);
  });
  it('checkText reports findings with context and the rewrite', () => {
    const rep = checkText('这是最好的裙子');
    expect(rep.ok).to.equal(false);
    expect(rep.findings[0]).to.include({ term: '最好', found: '最好', category: 'absolute', action: 'replaced', start: 2, end: 4 });
    expect(rep.rewritten).to.equal('这是很好的裙子');
    expect(checkText('清爽透气的雪纺裙').ok).to.equal(true);
  });
});

describe('compliance: rule files', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-rules-'));
  const write = (name: string, obj: unknown) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
    return f;
  };
  it('refuses bad files naming the file and the field', () => {
    const cases: Array<[unknown, string]> = [
      ['[oops', 'not valid JSON'],
      [{ categories: { a: 'x' }, terms: [{ term: '最', category: 'nope' }] }, 'terms[0].category'],
      [{ categories: { a: 'x' }, terms: [{ term: '', category: 'a' }] }, 'terms[0].term'],
      [{ categories: { a: 'x' }, terms: [{ term: '最', category: 'a', allow: ['好看'] }] }, 'terms[0].allow[0]'],
      [{ categories: { a: 'x' } }, 'terms'],
    ];
    cases.forEach(([obj, needle], i) => {
      const f = write(`t${i}.json`, obj);
      let err: unknown;
      try { loadTermsFile(f); } catch (e) { err = e; }
      expect(err, needle).to.be.instanceOf(DataError);
      expect((err as Error).message).to.contain(f).and.contain(needle);
    });
    const bl = write('bl.json', { brands: [{ name: '' }] });
    expect(() => loadRules({ blacklistFile: bl })).to.throw(DataError, /brands\[0\]\.name/);
  });
  it('a team-edited brand blacklist takes effect', () => {
    const bl = write('bl2.json', { brands: [{ name: '某某牌', aliases: ['MOUMOU'], reason: 'dispute' }] });
    const rules = loadRules({ blacklistFile: bl });
    expect(findViolations('某某牌同款', rules).map((v) => v.category)).to.deep.equal(['brand']);
    expect(findViolations('moumou同款', rules)).to.have.length(1);
    expect(findViolations('优衣库同款', rules)).to.have.length(0);
  });
});

describe('compliance: fuzz', () => {
  it('no rewritten text ever keeps a violation (2,000 random texts full of forbidden terms)', () => {
    const rng = seededRng(20261127);
    const terms = defaultRules().terms.map((t) => t.term);
    const filler = ['雪纺', '连衣裙', '清新', '显瘦', '百搭', '面料', '柔软', '透气', '的', '很', '穿上', '夏天', '好看', '第', '一', '最', '近', '国家', '级', '100', '%'];
    const punct = ['，', '。', '！', '、', ' ', '\u200b', '～', '\n', ''];
    const pick = <T>(a: T[]) => a[Math.floor(rng.next() * a.length)];
    let offered = 0;
    for (let i = 0; i < 2000; i++) {
      let t = '';
      const len = 3 + Math.floor(rng.next() * 30);
      for (let k = 0; k < len; k++) {
        const r = rng.next();
        let piece = r < 0.4 ? pick(terms) : r < 0.85 ? pick(filler) : pick(punct);
        if (rng.next() < 0.1 && piece.length > 1) piece = piece.split('').join(pick([' ', '\u200b', '']));
        if (rng.next() < 0.05) piece = piece.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        t += piece;
      }
      const r = rewrite(t);
      if (r.withheld) {
        expect(r.text).to.equal('');
        continue;
      }
      offered++;
      expect(findViolations(r.text), `${JSON.stringify(t)} → ${JSON.stringify(r.text)}`).to.deep.equal([]);
    }
    expect(offered).to.be.greaterThan(50); // the rewriter does rescue texts, not only withhold them
  });
});

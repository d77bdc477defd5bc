/**
 * The compliance corpus (test/fixtures/compliance-corpus.jsonl): violations, evasions with
 * spaces / full-width forms / digits / dots, broken rewrites reviewers saw, and allowed
 * phrases (including text quoted from customer reviews). Zero misses, zero false positives,
 * and every rewrite reads as a sentence (no dangling 的 or ，, no doubled words, no stray spaces).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { checkText, findViolations, rewrite, isCompliant } from '../core/compliance/check';

interface Case { text: string; terms: string[]; rewrite?: string }
const CORPUS: Case[] = fs.readFileSync(path.join(__dirname, 'fixtures', 'compliance-corpus.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

/** What a grammatical rewrite never has. */
export function rewriteDefects(text: string): string[] {
  const out: string[] = [];
  if (/^[的，,、。]/.test(text)) out.push('starts with 的 or a separator');
  if (/[，,、][的之]|[的][，,。！？]/.test(text)) out.push('dangling 的');
  if (/[，,、；：]$/.test(text) || /[，,、][。！？]/.test(text)) out.push('ends on a separator');
  if (/[，,]{2,}/.test(text)) out.push('doubled separator');
  if (/(\p{Script=Han}{2,})\1/u.test(text.replace(/(哈|啦|呀)+/g, ''))) out.push('a word said twice');
  if (/\p{Script=Han}\s+\p{Script=Han}/u.test(text)) out.push('a space between Chinese characters');
  if (/很很|很的/.test(text)) out.push('很很/很的');
  return out;
}

describe('compliance corpus', () => {
  it(`holds at least 60 phrases with violations, evasions and allowed phrases (${CORPUS.length})`, () => {
    expect(CORPUS.length).to.be.at.least(60);
    expect(CORPUS.filter((c) => c.terms.length === 0).length).to.be.at.least(15);
    expect(CORPUS.filter((c) => /[\uff01-\uff5e]|\s|\u200b/.test(c.text)).length).to.be.at.least(8);
  });
  it('zero misses and zero false positives', () => {
    const misses: string[] = [];
    const falsePositives: string[] = [];
    for (const c of CORPUS) {
      const found = findViolations(c.text).map((v) => v.term);
      for (const t of c.terms) if (!found.includes(t)) misses.push(`${c.text}: ${t} (found ${found.join(',') || 'nothing'})`);
      for (const t of found) if (!c.terms.includes(t)) falsePositives.push(`${c.text}: ${t}`);
    }
    expect(misses, 'misses').to.deep.equal([]);
    expect(falsePositives, 'false positives').to.deep.equal([]);
  });
  it('rewrites pass the check and read as sentences; the expected rewrites are produced', () => {
    for (const c of CORPUS.filter((x) => x.terms.length > 0)) {
      const r = rewrite(c.text);
      if (c.rewrite !== undefined) expect(r.text, c.text).to.equal(c.rewrite);
      if (r.withheld) continue;
      expect(isCompliant(r.text), c.text).to.equal(true);
      expect(rewriteDefects(r.text), `${c.text} → ${r.text}`).to.deep.equal([]);
    }
  });
  it('a withheld text tells one story: every finding says withheld, none says replaced', () => {
    for (const t of ['第１', '100%有效', '国家级特效减肥']) {
      const rep = checkText(t);
      expect(rep.withheld, t).to.equal(true);
      expect(rep.rewritten).to.equal(null);
      expect(rep.findings.map((f) => f.action), t).to.satisfy((a: string[]) => a.length > 0 && a.every((x) => x === 'withheld'));
      expect(rewrite(t).findings.every((f) => f.action === 'withheld'), t).to.equal(true);
    }
    // A short text whose only term has a replacement is offered, not withheld.
    const rep = checkText('全网最低价，限时抢购');
    expect(rep.withheld).to.equal(false);
    expect(rep.rewritten).to.equal('实惠价，限时抢购');
    expect(rep.findings.map((f) => f.action)).to.deep.equal(['replaced']);
  });
  it('quoted customer reviews are not checked, the shop\'s own claims around them are', () => {
    expect(findViolations('买家评价「最好的裙子」，全网最低价').map((v) => v.term)).to.deep.equal(['全网最低价']);
    // A quote that is not attributed to a customer is the shop's own claim.
    expect(findViolations('「全网最低价」限时抢购').map((v) => v.term)).to.deep.equal(['全网最低价']);
  });
});

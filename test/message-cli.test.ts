/**
 * The CLI examples of issue #16, as a new user typed them: praise read as praise, compliance
 * misses and broken rewrites, and bad input as one line with exit 2 before any model loads.
 */
import { expect } from 'chai';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { PROJECT_ROOT } from '../core/util/paths';

const CLI = path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js');
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000, env: { ...process.env, COPYDESK_PSEUDONYM_KEY: 'k' } });
const errLines = (r: ReturnType<typeof cli>) => r.stderr.split('\n').filter((l) => l.startsWith('copydesk:') && !l.includes('warning'));

describe('CLI: the examples reviewers hit (#16)', function () {
  it('sentiment reads 客服回复很及时 as praise', () => {
    const r = cli(['sentiment', '--json', '客服回复很及时']);
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).aspects.map((a: { aspect: string; polarity: string }) => `${a.aspect}:${a.polarity}`)).to.deep.equal(['客服:positive']);
  });
  it('check catches 销量第1 and rewrites it as a sentence; a review quote is not flagged', () => {
    const r = cli(['check', '--json', '销量第1的连衣裙']);
    expect(r.status).to.equal(1);
    expect(JSON.parse(r.stdout).rewritten).to.equal('热销的连衣裙');
    const q = cli(['check', '买家评价「我的最爱，唯一的缺点是有点长」']);
    expect(q.status, q.stdout).to.equal(0);
    const w = cli(['check', '全网最低价，限时抢购']);
    expect(w.stdout).to.contain('rewrite: 实惠价，限时抢购').and.not.contain('withheld');
  });
  it('bad input is one line and exit 2, before models load', () => {
    const cases: Array<[string[], RegExp]> = [
      [['draft', '--user', 'u-0001', '--tone', 'nonsense'], /argument 'nonsense' is invalid/],
      [['draft', '--user', 'u-0001', '--n', '1000'], /--n must be an integer from 1 to 5/],
      [['draft', '--user', 'u-9999'], /unknown user "u-9999"/],
      [['profile', '--user', 'u-9999'], /unknown user "u-9999"/],
      [['generate', '--attrs', '材质#雪纺*颜色#红色'], /no 类型/],
      [['generate', '--attrs', `类型#裙*${'颜色#红色*'.repeat(100)}风格#清新`], /at most 500/],
      [['generate', '--attrs', '类型#裙', '--n', '1000'], /--n must be an integer from 1 to 10/],
      [['sentiment', '好'.repeat(2001)], /at most 2000/],
    ];
    for (const [args, re] of cases) {
      const t0 = Date.now();
      const r = cli(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(errLines(r), args.join(' ')).to.have.length(1);
      expect(errLines(r)[0]).to.match(re);
      expect(r.stdout, args.join(' ')).to.equal('');
      expect(r.stderr, args.join(' ')).to.not.contain('Usage:').and.not.contain('tfjs backend');
      expect(Date.now() - t0, args.join(' ')).to.be.below(60000);
    }
  });
  it('--help gives the ranges', () => {
    expect(cli(['draft', '--help']).stdout).to.contain('(1-5)');
    expect(cli(['generate', '--help']).stdout).to.contain('(1-10)').and.match(/at most\s+500/);
  });
});

describe('store: items without 类型', () => {
  it('are refused naming the file, line and field, with the reason', () => {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const { loadItems } = require('../core/data/store') as typeof import('../core/data/store');
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cd-items-')), 'items.csv');
    fs.writeFileSync(f, 'item_id,title,category,attributes,price,offers\nSKU-1,连衣裙,裙,类型#裙*颜色#红色,99,包邮|满199减20\nSKU-2,红色,裙,颜色#红色*材质#雪纺,99,\n');
    expect(() => loadItems(f)).to.throw(/items\.csv.*:3.*attributes.*no 类型/);
    fs.writeFileSync(f, 'item_id,title,category,attributes,price,offers\nSKU-1,连衣裙,裙,类型#裙*颜色#红色,99,包邮|满199减20\n');
    expect(loadItems(f).rows[0].offers).to.deep.equal(['包邮', '满199减20']);
  });
});

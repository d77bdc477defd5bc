/**
 * Strict loaders (core/data/table.ts): impossible dates, out-of-range years,
 * duplicate header columns and non-decimal numbers are refused with the file,
 * line and field, through the real loaders (loadStore, importOutcomes).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataError } from '../core/data/errors';
import { dataError } from './rejection';
import { fields, isoTimeMs } from '../core/data/table';
import { loadStore } from '../core/data/store';
import { importOutcomes } from '../core/copywriter/outcomes';
import { openStore } from '../core/store/db';

const ITEMS = 'item_id,title,category,attributes,price\nSKU-1,法式雪纺连衣裙,裙,类型#裙*材质#雪纺*颜色#白色,129\n';
const USERS = 'user_id,segment,city\nu-1,学生党,杭州\n';
const EVENTS = 'user_id,item_id,event,value,timestamp\nu-1,SKU-1,view,1,1788220800\n';
const REVIEWS = 'user_id,item_id,text,rating,timestamp\nu-1,SKU-1,面料很舒服,5,1788300000\n';


describe('data core: strict loaders', () => {
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-strict-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const storeWith = (over: Partial<Record<'items' | 'users' | 'events' | 'reviews', string>>) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'store-'));
    for (const [name, text] of Object.entries({ items: ITEMS, users: USERS, events: EVENTS, reviews: REVIEWS, ...over })) fs.writeFileSync(path.join(dir, `${name}.csv`), text);
    return dir;
  };

  it('the good store loads (the checks do not refuse ordinary values)', () => {
    const s = loadStore(storeWith({}));
    expect(s.items).to.have.length(1);
  });

  const cases: Array<[string, Partial<Record<'items' | 'users' | 'events' | 'reviews', string>>, string, number, string, RegExp]> = [
    ['a hex price', { items: `${ITEMS}SKU-2,风衣,外套,类型#外套,0x10\n` }, 'items.csv', 3, 'price', /"0x10" is not a number/],
    ['an exponent price (1e308)', { items: `${ITEMS}SKU-2,风衣,外套,类型#外套,1e308\n` }, 'items.csv', 3, 'price', /"1e308" is not a number/],
    ['an event timestamp in the year 2286', { events: `${EVENTS}u-1,SKU-1,view,1,9999999999\n` }, 'events.csv', 3, 'timestamp', /year 2286, outside 1970–2100/],
    ['a hex event value', { events: `${EVENTS}u-1,SKU-1,view,0x1,1788220800\n` }, 'events.csv', 3, 'value', /not a number/],
    ['a duplicated header column', { items: 'item_id,title,category,attributes,price,title\nSKU-1,a,裙,类型#裙,129,b\n' }, 'items.csv', 1, 'title', /column "title" appears twice in the header \(columns 2 and 6\)/],
  ];
  for (const [what, files, file, line, field, message] of cases) {
    it(`refuses ${what}, naming ${file}:${line} (${field})`, () => {
      const dir = storeWith(files);
      const e = dataError(() => loadStore(dir));
      expect(e.file).to.equal(path.join(dir, file));
      expect(e.line).to.equal(line);
      expect(e.field).to.equal(field);
      expect(e.problem).to.match(message);
    });
  }

  it('outcomes: 2026-02-30 and the year 2286 are refused with file, line and field; real dates import', () => {
    const db = openStore(':memory:');
    db.prepare("INSERT INTO requests (id, source, user_id, n, created_at) VALUES ('r1', 'cli', 'u-1', 1, '2026-11-01T00:00:00Z')").run();
    db.prepare(`INSERT INTO drafts (id, request_id, user_id, user_pseudonym, item_id, text, tone, strategy, segment, score, compliance_json, explanation, created_at)
      VALUES ('d1', 'r1', 'u-1', 'u_x', 'SKU-1', 't', 'warm', 'warm/texture/short', 'cold', 1, '{"ok":true,"findings":[]}', 'e', '2026-11-01T00:00:00Z')`).run();
    const file = (name: string, text: string) => { const f = path.join(tmp, name); fs.writeFileSync(f, text); return f; };
    const bad = file('bad-date.csv', 'draft_id,event,timestamp\nd1,impression,2026-11-27T10:00:00Z\nd1,click,2026-02-30T10:00:00Z\n');
    const e = dataError(() => importOutcomes(db, bad));
    expect([e.file, e.line, e.field]).to.deep.equal([bad, 3, 'timestamp']);
    expect(e.problem).to.match(/2026-02 has no day 30/);
    const far = file('far.csv', 'draft_id,event,timestamp\nd1,impression,2286-11-20T17:46:39Z\n');
    expect(dataError(() => importOutcomes(db, far)).problem).to.match(/year 2286/);
    expect((db.prepare('SELECT COUNT(*) AS n FROM outcomes').get() as { n: number }).n).to.equal(0);
    const good = file('good.csv', 'draft_id,event,timestamp\nd1,impression,2024-02-29\nd1,click,1788220800\n');
    importOutcomes(db, good);
    expect((db.prepare('SELECT timestamp FROM outcomes ORDER BY timestamp').all() as Array<{ timestamp: string }>).map((r) => r.timestamp)).to.deep.equal(['2024-02-29T00:00:00.000Z', '2026-09-01T00:00:00.000Z']);
    db.close();
  });

  it('field parsers: decimal only, calendar-checked, UTC without an offset', () => {
    for (const bad of ['0x10', '1e308', 'Infinity', '1_000', '', '12,5']) expect(() => fields.number(bad), bad).to.throw(/not a number/);
    expect(fields.number(' -3.50 ')).to.equal(-3.5);
    expect(() => fields.integer('9007199254740993')).to.throw(/too large/);
    expect(() => isoTimeMs('2026-11-27T24:00:00Z')).to.throw(/not a time of day/);
    expect(() => isoTimeMs('2026-13-01')).to.throw(/no month 13/);
    expect(new Date(isoTimeMs('2026-11-27 10:00')).toISOString()).to.equal('2026-11-27T10:00:00.000Z');
    expect(new Date(isoTimeMs('2026-11-27T10:00:00+08:00')).toISOString()).to.equal('2026-11-27T02:00:00.000Z');
  });
});

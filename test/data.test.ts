import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataError } from '../core/data/errors';
import { dataError } from './rejection';
import { MAX_LINE_BYTES } from '../core/data/table';
import { parseAttributes, formatAttributes } from '../core/data/attributes';
import { loadStore, loadItems, loadUsers, loadEvents, loadReviews, loadTastes, parseAspects, describeStoreSkipped, storePort } from '../core/data/store';
import { loadAdvertiseGen, loadLabelledTexts, sharedPath, SHARED } from '../core/data/datasets';
import { main } from '../apps/cli/main';

const ITEMS = 'item_id,title,category,attributes,price\nSKU-1,法式雪纺连衣裙,裙,类型#裙*材质#雪纺*颜色#白色,129\nSKU-2,高腰阔腿裤,裤,类型#裤*裤型#阔腿裤,99\n';
const USERS = 'user_id,segment,city\nu-1,学生党,杭州\nu-2,职场通勤,上海\n';
const EVENTS = 'user_id,item_id,event,value,timestamp\nu-1,SKU-1,view,1,1788220800\nu-1,SKU-1,buy,1,1788221000\nu-2,SKU-2,rate,4,1788222000\n';
const REVIEWS = 'user_id,item_id,text,rating,timestamp,label,aspects\nu-1,SKU-1,面料很舒服，物流很快,5,1788300000,pos,面料:pos|物流:pos\nu-2,SKU-2,尺码偏小,2,1788300100,neg,尺码:neg\n';

let tmp: string;
/** Writes a store folder with the given files replaced; returns its path. */
function storeWith(over: Partial<Record<'items' | 'users' | 'events' | 'reviews', string | Buffer>> = {}): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'store-'));
  const files = { items: ITEMS, users: USERS, events: EVENTS, reviews: REVIEWS, ...over };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${name}.csv`), text);
  return dir;
}


describe('data core: the store', function () {
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-data-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('parseAttributes', () => {
    it('parses key#value*key#value, keeping repeated keys', () => {
      expect(parseAttributes('类型#裙*图案#条纹*图案#线条')).to.deep.equal([
        { key: '类型', value: '裙' },
        { key: '图案', value: '条纹' },
        { key: '图案', value: '线条' },
      ]);
      expect(formatAttributes(parseAttributes('类型#裙*材质#雪纺'))).to.equal('类型#裙*材质#雪纺');
    });
    it('refuses malformed strings with a clear message', () => {
      expect(() => parseAttributes('类型裙')).to.throw(/pair 1 "类型裙" is not key#value \(no "#"/);
      expect(() => parseAttributes('#x')).to.throw(/empty key/);
      expect(() => parseAttributes('类型#裙*材质#')).to.throw(/pair 2 .*empty value/);
      expect(() => parseAttributes('类型#裙#长')).to.throw(/more than one "#"/);
      expect(() => parseAttributes('')).to.throw(/empty/);
      expect(() => formatAttributes([{ key: '类型', value: 'a*b' }])).to.throw(/contains # or \*/);
    });
    it('parses review aspect labels', () => {
      expect(parseAspects('尺码:neg|物流:pos')).to.deep.equal([
        { aspect: '尺码', polarity: 'neg' },
        { aspect: '物流', polarity: 'pos' },
      ]);
      expect(parseAspects('')).to.deep.equal([]);
      expect(() => parseAspects('尺码:bad')).to.throw(/aspect:pos or aspect:neg/);
    });
  });

  describe('loadStore', () => {
    it('loads a well-formed store with maps by id and typed rows', () => {
      const s = loadStore(storeWith(), { tastes: false });
      expect(s.items.map((i) => i.item_id)).to.deep.equal(['SKU-1', 'SKU-2']);
      expect(s.itemById.get('SKU-1')!.attributes[1]).to.deep.equal({ key: '材质', value: '雪纺' });
      expect(s.itemById.get('SKU-2')!.price).to.equal(99);
      expect(s.userById.get('u-2')).to.deep.equal({ user_id: 'u-2', segment: '职场通勤', city: '上海' });
      expect(s.events[2]).to.deep.equal({ user_id: 'u-2', item_id: 'SKU-2', event: 'rate', value: 4, timestamp: 1788222000 });
      expect(s.reviews[1]).to.deep.include({ rating: 2, label: 'neg', aspects: [{ aspect: '尺码', polarity: 'neg' }] });
      expect(s.skipped).to.deep.equal([]);
      const port = storePort(s);
      expect(port.hasUser('u-1')).to.equal(true);
      expect(port.boughtBy('u-1')).to.deep.equal(new Set(['SKU-1']));
      expect(port.item('SKU-2')!.category).to.equal('裤');
      expect(port.reviewsBy('u-2')[0].text).to.equal('尺码偏小');
    });

    // Each malformed input: [what, files, file, line, field, message]
    const cases: Array<[string, Parameters<typeof storeWith>[0], string, number | undefined, string | undefined, RegExp]> = [
      ['wrong columns', { items: 'item_id,name,category,attributes,price\nSKU-1,x,裙,类型#裙,1\n' }, 'items.csv', 1, 'title', /missing column "title"/],
      ['a row with too many fields', { events: `${EVENTS}u-1,SKU-1,view,1,1788220900,extra\n` }, 'events.csv', 5, undefined, /6 fields, the header has 5/],
      ['bad UTF-8', { reviews: Buffer.concat([Buffer.from(REVIEWS), Buffer.from('u-1,SKU-2,'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(',5,1788300200,pos,\n')]) }, 'reviews.csv', 4, undefined, /not valid UTF-8/],
      ['an empty file', { users: '' }, 'users.csv', undefined, undefined, /file is empty/],
      ['a huge line', { reviews: `${REVIEWS}u-1,SKU-1,${'好'.repeat(MAX_LINE_BYTES + 10)},5,1788300300,pos,\n` }, 'reviews.csv', 4, undefined, /line longer than/],
      ['an unknown event', { events: `${EVENTS}u-1,SKU-2,like,1,1788223000\n` }, 'events.csv', 5, 'event', /"like" is not one of view, click, cart, fav, buy, rate/],
      ['a rate event without a 1–5 value', { events: `${EVENTS}u-1,SKU-2,rate,9,1788223000\n` }, 'events.csv', 5, 'value', /rating 1–5/],
      ['an event naming an unknown user', { events: `${EVENTS}u-9,SKU-2,view,1,1788223000\n` }, 'events.csv', 5, 'user_id', /unknown user "u-9"/],
      ['an event naming an unknown item', { events: `${EVENTS}u-1,SKU-404,view,1,1788223000\n` }, 'events.csv', 5, 'item_id', /unknown item "SKU-404"/],
      ['a non-numeric timestamp', { events: `${EVENTS}u-1,SKU-2,view,1,yesterday\n` }, 'events.csv', 5, 'timestamp', /not an integer/],
      ['a non-numeric rating', { reviews: `${REVIEWS}u-1,SKU-2,还行,好,1788300200,pos,\n` }, 'reviews.csv', 4, 'rating', /"好" is not a rating/],
      ['a rating out of range', { reviews: `${REVIEWS}u-1,SKU-2,还行,6,1788300200,pos,\n` }, 'reviews.csv', 4, 'rating', /"6" is not a rating/],
      ['an empty review text', { reviews: `${REVIEWS}u-1,SKU-2,,5,1788300200,pos,\n` }, 'reviews.csv', 4, 'text', /is empty/],
      ['a bad polarity label', { reviews: `${REVIEWS}u-1,SKU-2,还行,4,1788300200,good,\n` }, 'reviews.csv', 4, 'label', /not a polarity/],
      ['a non-numeric price', { items: `${ITEMS}SKU-3,风衣,外套,类型#外套,九十九\n` }, 'items.csv', 4, 'price', /"九十九" is not a number/],
      ['a bad attribute string', { items: `${ITEMS}SKU-3,风衣,外套,类型外套,199\n` }, 'items.csv', 4, 'attributes', /"类型外套" is not key#value/],
      ['an attribute with an empty key', { items: `${ITEMS}SKU-3,风衣,外套,类型#外套*#x,199\n` }, 'items.csv', 4, 'attributes', /empty key/],
      ['a duplicate item id', { items: `${ITEMS}SKU-1,风衣,外套,类型#外套,199\n` }, 'items.csv', 4, 'item_id', /appears twice/],
      ['users.csv not starting with user_id', { users: 'segment,user_id\n学生党,u-1\n' }, 'users.csv', 1, 'user_id', /first column must be "user_id"/],
      ['an unterminated quote', { items: `${ITEMS}SKU-3,"风衣,外套,类型#外套,199\n` }, 'items.csv', undefined, undefined, /malformed CSV/],
    ];
    for (const [what, files, file, line, field, message] of cases) {
      it(`refuses ${what} naming ${file}${line ? `:${line}` : ''}${field ? ` (${field})` : ''}`, () => {
        const dir = storeWith(files);
        const e = dataError(() => loadStore(dir));
        expect(e.file).to.equal(path.join(dir, file));
        if (line !== undefined) expect(e.line).to.equal(line);
        expect(e.field).to.equal(field);
        expect(e.problem).to.match(message);
        expect(e.message).to.contain(path.join(dir, file));
      });
    }

    it('refuses a missing store folder or file', () => {
      expect(dataError(() => loadStore(path.join(tmp, 'nope'))).problem).to.match(/store folder not found/);
      const dir = storeWith();
      fs.rmSync(path.join(dir, 'reviews.csv'));
      const e = dataError(() => loadStore(dir));
      expect(e.file).to.equal(path.join(dir, 'reviews.csv'));
      expect(e.problem).to.match(/file not found/);
    });

    it('with skipBad skips bad rows and reports each one (file, line, field)', () => {
      const dir = storeWith({
        events: `${EVENTS}u-1,SKU-2,like,1,1788223000\nu-9,SKU-2,view,1,1788223000\nu-1,SKU-2,click,1,1788224000\n`,
        reviews: `${REVIEWS}u-1,SKU-2,还行,好,1788300200,pos,\n`,
      });
      const s = loadStore(dir, { skipBad: true });
      expect(s.events).to.have.length(4);
      expect(s.events[3].event).to.equal('click');
      expect(s.reviews).to.have.length(2);
      expect(s.skipped).to.deep.equal([
        { file: path.join(dir, 'events.csv'), line: 5, field: 'event', problem: '"like" is not one of view, click, cart, fav, buy, rate' },
        { file: path.join(dir, 'events.csv'), line: 6, field: 'user_id', problem: 'unknown user "u-9" (not in users.csv)' },
        { file: path.join(dir, 'reviews.csv'), line: 4, field: 'rating', problem: '"好" is not a rating (an integer 1–5)' },
      ]);
      const report = describeStoreSkipped(s);
      expect(report).to.have.length(2);
      expect(report[0]).to.equal(`${path.join(dir, 'events.csv')}: skipped 2 bad row(s): line 5 (event): "like" is not one of view, click, cart, fav, buy, rate; line 6 (user_id): unknown user "u-9" (not in users.csv)`);
    });

    it('`copydesk store --skip-bad` reports the skipped rows on stderr and summarises the rest; without it, one clean error line', async () => {
      const dir = storeWith({ events: `${EVENTS}u-1,SKU-2,like,1,1788223000\n` });
      const out: string[] = [];
      const err: string[] = [];
      const [w1, w2] = [process.stdout.write, process.stderr.write];
      process.stdout.write = ((c: string) => out.push(String(c)) > 0) as typeof process.stdout.write;
      process.stderr.write = ((c: string) => err.push(String(c)) > 0) as typeof process.stderr.write;
      const exitCode = process.exitCode;
      try {
        await main(['node', 'copydesk', 'store', '--json', '--skip-bad', '--dir', dir]);
        expect(JSON.parse(out.join('')).counts.events).to.equal(3);
        expect(err.join('')).to.contain(`${path.join(dir, 'events.csv')}: skipped 1 bad row(s): line 5 (event)`);
        out.length = 0;
        err.length = 0;
        await main(['node', 'copydesk', 'store', '--dir', dir]);
        expect(out.join('')).to.equal('');
        expect(err.join('')).to.equal(`copydesk: ${path.join(dir, 'events.csv')}:5 (field "event"): "like" is not one of view, click, cart, fav, buy, rate\n`);
        expect(process.exitCode).to.equal(2);
      } finally {
        process.stdout.write = w1;
        process.stderr.write = w2;
        process.exitCode = exitCode;
      }
    });

    it('checks tastes.json', () => {
      const dir = storeWith();
      fs.writeFileSync(path.join(dir, 'tastes.json'), '{"u-1": {"top": [{"key": "材质", "value": "雪纺", "weight": 1.5}], "categories": [{"category": "裙", "weight": 1}]}}');
      expect(loadStore(dir).tastes!['u-1'].top[0].value).to.equal('雪纺');
      fs.writeFileSync(path.join(dir, 'tastes.json'), '{"u-7": {"top": [], "categories": []}}');
      expect(dataError(() => loadStore(dir))).to.include({ field: 'u-7' });
      fs.writeFileSync(path.join(dir, 'tastes.json'), '{"u-1": ');
      expect(dataError(() => loadStore(dir)).problem).to.match(/not valid JSON/);
      expect(loadStore(dir, { tastes: false }).tastes).to.equal(undefined);
    });

    it('exposes the single-file loaders (without reference checks when no ids are given)', () => {
      const dir = storeWith();
      expect(loadItems(path.join(dir, 'items.csv')).rows).to.have.length(2);
      expect(loadUsers(path.join(dir, 'users.csv')).rows).to.have.length(2);
      fs.writeFileSync(path.join(dir, 'events.csv'), `${EVENTS}u-9,SKU-9,view,1,1\n`);
      expect(loadEvents(path.join(dir, 'events.csv')).rows).to.have.length(4);
      expect(loadReviews(path.join(dir, 'reviews.csv')).rows).to.have.length(2);
      expect(() => loadTastes(path.join(dir, 'missing.json'))).to.throw(DataError, /file not found/);
    });
  });

  describe('shared datasets (read in place from ../shared/data)', () => {
    it('AdvertiseGen attribute strings all parse with parseAttributes', () => {
      const { rows } = loadAdvertiseGen(sharedPath(SHARED.advertiseGen));
      expect(rows.length).to.be.greaterThan(5000);
      let pairs = 0;
      for (const r of rows) pairs += parseAttributes(r.content).length;
      expect(pairs / rows.length).to.be.within(3, 15);
    });
    it('ChnSentiCorp dev loads with labels 0/1', () => {
      const { rows, skipped } = loadLabelledTexts(sharedPath(SHARED.chnDev));
      expect(rows.length).to.equal(1160);
      expect(skipped).to.deep.equal([]);
      expect(new Set(rows.map((r) => r.label))).to.deep.equal(new Set([0, 1]));
    });
  });
});

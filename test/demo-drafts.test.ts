/**
 * The shipped generator drafts copy for every item of the demo store (data/demo/items.csv) with none of
 * the faults a reviewer rejects: a word used 3+ times, a Latin token not in the attributes, an ending
 * mid-sentence, a garment/body part foreign to the category (core/seq2seq/metrics.ts copyFaults).
 * One draft per item, through `generate` with the shipped decoding and one phrase memory (as a campaign).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { loadItems } from '../core/data/store';
import { demoDir, modelsDir } from '../core/util/paths';
import { loadGenerator } from '../core/seq2seq/generator';
import { formatAttributes } from '../core/data/attributes';
import { copyFaults, faultKinds } from '../core/seq2seq/metrics';
import { TONES } from '../core/domain/types';

describe('demo store: a draft for every item, without faults (shipped generator)', function () {
  this.timeout(900_000);

  it('drafts every item of data/demo/items.csv with zero repeat/Latin/mid-sentence/foreign-part faults', async function () {
    if (!fs.existsSync(path.join(modelsDir(), 'generator', 'model.json'))) this.skip();
    const items = loadItems(path.join(demoDir(), 'items.csv')).rows;
    expect(items.length).to.be.greaterThan(300);
    const g = await loadGenerator();
    expect(g.lexicon, 'models/generator/copy_lexicon.json').to.not.equal(undefined);
    const faulty: string[] = [];
    let drafted = 0;
    for (const [i, it] of items.entries()) {
      const [d] = await g.generate({ attrs: formatAttributes(it.attributes), tone: TONES[i % TONES.length], n: 1, seed: i + 1 });
      expect(d, it.item_id).to.not.equal(undefined);
      expect(d.text.length, `${it.item_id}: ${d.text}`).to.be.greaterThan(30);
      drafted++;
      const f = copyFaults(d.text, it.attributes, g.lexicon);
      if (faultKinds(f)) faulty.push(`${it.item_id} ${it.category} ${JSON.stringify(f)}: ${d.text}`);
    }
    expect(drafted).to.equal(items.length);
    expect(faulty, faulty.join('\n')).to.deep.equal([]);
  });
});

/**
 * Writes the demo store (items.csv, users.csv, events.csv, reviews.csv, tastes.json) from a
 * seed. Same seed → byte-identical files. Everything is drawn from Copydesk's own
 * vocabulary (vocabulary.ts, phrases.ts); no dataset rows are used.
 *
 *   npm run demo:generate                     # writes data/demo/ with the default seed
 *   npx tsx core/demo/generate.ts --out DIR --seed N
 */
import * as fs from 'fs';
import * as path from 'path';
import { DemoRng } from './random';
import { generateCatalog, drawOffers, DemoItem } from './catalog';
import { generateUsers, generateBehaviour, DemoTaste } from './behaviour';
import { formatAttributes } from '../data/attributes';
import { formatAspects, STORE_FILES } from '../data/store';
import { demoDir } from '../util/paths';

export const DEFAULT_SEED = 20261127;

export interface DemoOptions {
  seed?: number;
  users?: number;
  meanViews?: number;
  reviewRate?: number;
  tasteShare?: number;
  popularShare?: number;
  tasteFocus?: number;
  searchShare?: number;
}

// Users browse mostly what they like (88 % of views by taste, 9 % by popularity, 3 % noise), so
// the hidden tastes show in the events; 38 views per user keeps data/demo under 5 MB.
export const DEMO_DEFAULTS: Required<DemoOptions> = {
  seed: DEFAULT_SEED,
  users: 1000,
  meanViews: 38,
  reviewRate: 0.5,
  tasteShare: 0.88,
  popularShare: 0.09,
  tasteFocus: 1.5,
  searchShare: 0.85,
};

/** One CSV field, quoted when it has a comma, quote or line break. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(header: string[], rows: Array<Array<string | number>>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** tastes.json: one user per line, so diffs stay readable. */
function tastesJson(tastes: Map<string, DemoTaste>): string {
  const lines = [...tastes].map(([id, t]) => `  ${JSON.stringify(id)}: ${JSON.stringify(t)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** The demo store's files as strings, by file name. */
export function generateDemoStore(options: DemoOptions = {}): Record<string, string> {
  const o = { ...DEMO_DEFAULTS, ...options };
  const root = new DemoRng(o.seed);
  const catalogRng = root.fork();
  const userRng = root.fork();
  const behaviourRng = root.fork();
  const offerRng = root.fork();
  const items: DemoItem[] = generateCatalog(catalogRng);
  const offers = drawOffers(offerRng, items);
  const { users, tastes } = generateUsers(userRng, o.users, items);
  const { events, reviews } = generateBehaviour(behaviourRng, users, tastes, items, { meanViews: o.meanViews, reviewRate: o.reviewRate, tasteShare: o.tasteShare, popularShare: o.popularShare, tasteFocus: o.tasteFocus, searchShare: o.searchShare });
  return {
    [STORE_FILES.items]: toCsv(
      ['item_id', 'title', 'category', 'attributes', 'price', 'offers'],
      items.map((i) => [i.item_id, i.title, i.category, formatAttributes(i.attributes), i.price, offers.get(i.item_id)!.join('|')]),
    ),
    [STORE_FILES.users]: toCsv(['user_id', 'segment', 'city', 'age_band'], users.map((u) => [u.user_id, u.segment, u.city, u.age_band])),
    [STORE_FILES.events]: toCsv(['user_id', 'item_id', 'event', 'value', 'timestamp'], events.map((e) => [e.user_id, e.item_id, e.event, e.value, e.timestamp])),
    [STORE_FILES.reviews]: toCsv(
      ['user_id', 'item_id', 'text', 'rating', 'timestamp', 'label', 'aspects'],
      reviews.map((r) => [r.user_id, r.item_id, r.text, r.rating, r.timestamp, r.label, formatAspects(r.aspects)]),
    ),
    [STORE_FILES.tastes]: tastesJson(tastes),
  };
}

/** Writes the demo store into `dir`; returns the files written with their sizes. */
export function writeDemoStore(dir: string, options: DemoOptions = {}): Array<{ file: string; bytes: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const files = generateDemoStore(options);
  return Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return { file, bytes: Buffer.byteLength(text) };
  });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = arg('--out') ?? demoDir();
  const seedArg = arg('--seed');
  const seed = seedArg === undefined ? DEFAULT_SEED : Number(seedArg);
  if (!Number.isInteger(seed)) {
    process.stderr.write(`demo:generate: --seed must be an integer (got ${seedArg})\n`);
    process.exit(2);
  }
  const t0 = Date.now();
  const written = writeDemoStore(out, { seed });
  for (const w of written) process.stderr.write(`wrote ${path.relative(process.cwd(), w.file)} (${(w.bytes / 1024).toFixed(0)} KiB)\n`);
  process.stderr.write(`demo store: seed ${seed}, ${(written.reduce((a, w) => a + w.bytes, 0) / 1048576).toFixed(2)} MiB in ${Date.now() - t0} ms\n`);
}

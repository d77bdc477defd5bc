/** The sentiment CLI on the shipped model (models/sentiment): eval JSON + predictions, the one-review command, bad files. */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../core/util/paths';

const CLI = path.join(PROJECT_ROOT, 'apps', 'cli', 'copydesk.js');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, COPYDESK_QUIET: '1', COPYDESK_QUIET_BACKEND: '1' } });

describe('sentiment CLI (shipped model)', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-sentiment-cli-'));
  const rows: Array<[number, string]> = [
    [1, '质量很好，穿着舒服，物流也快，非常满意'],
    [0, '太差了，衣服有线头，还掉色，退货'],
    [1, '性价比很高，下次还来买'],
    [0, '客服态度恶劣，再也不买了'],
    [1, '宝贝很漂亮，颜色和图片一样'],
    [0, '等了一个星期才到，包装也破了，失望'],
  ];

  it('eval sentiment prints one JSON object and writes one prediction per row (CSV and TSV)', () => {
    const csv = path.join(dir, 'small.csv');
    fs.writeFileSync(csv, `label,review\n${rows.map(([l, t]) => `${l},${t}`).join('\n')}\n`);
    const tsv = path.join(dir, 'small.tsv');
    fs.writeFileSync(tsv, `label\ttext_a\n${rows.map(([l, t]) => `${l}\t${t}`).join('\n')}\n`);
    for (const file of [csv, tsv]) {
      const preds = path.join(dir, `preds-${path.extname(file).slice(1)}.txt`);
      const r = run(['eval', 'sentiment', '--data', file, '--json', '--predictions-out', preds]);
      expect(r.status, r.stderr).to.equal(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).to.have.length(1);
      const m = JSON.parse(lines[0]);
      expect(Object.keys(m).sort()).to.deep.equal(['accuracy', 'macro_f1', 'n', 'rows_per_second']);
      expect(m.n).to.equal(rows.length);
      expect(m.accuracy).to.be.at.least(5 / 6);
      const p = fs.readFileSync(preds, 'utf8').trim().split('\n');
      expect(p).to.have.length(rows.length);
      p.forEach((x) => expect(['0', '1']).to.include(x));
      expect(p.filter((x, i) => Number(x) === rows[i][0]).length / rows.length).to.equal(m.accuracy);
    }
  });

  it('sentiment "<text>" --json gives label, probability and aspects', () => {
    const out = execFileSync(process.execPath, [CLI, 'sentiment', '尺码偏小，面料起球，物流太慢了', '--json'], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, COPYDESK_QUIET: '1' } });
    const r = JSON.parse(out);
    expect(r.label).to.equal('negative');
    expect(r.probability).to.be.below(0.4);
    expect(r.aspects.map((a: { aspect: string; polarity: string }) => `${a.aspect}:${a.polarity}`)).to.deep.equal(['尺码:negative', '面料:negative', '物流:negative']);
  });

  it('bad inputs give one clear line and exit code 2', () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'label,review\n1,很好\n7,不好\n');
    let r = run(['eval', 'sentiment', '--data', bad, '--json']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/bad\.csv:3 \(field "label"\): "7" is not a label/);
    expect(r.stdout).to.equal('');
    r = run(['eval', 'sentiment', '--data', path.join(dir, 'missing.csv'), '--json']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/missing\.csv: file not found/);
    const noCol = path.join(dir, 'nocol.csv');
    fs.writeFileSync(noCol, 'score,text\n1,很好\n');
    r = run(['eval', 'sentiment', '--data', noCol]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/missing column "label"/);
    r = run(['sentiment', '   ']);
    expect(r.status).to.equal(2);
    expect(r.stderr.trim()).to.equal('copydesk: text is empty');
    r = run(['train', 'sentiment', '--out', dir]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/needs at least one --data/);
  });

  it('train sentiment refuses bad student-recipe options with exit code 2', () => {
    const csv = path.join(dir, 'train.csv');
    fs.writeFileSync(csv, `label,review\n${rows.map(([l, t]) => `${l},${t}`).join('\n')}\n`);
    const cases: Array<[string[], RegExp]> = [
      [['--recipe', 'bogus'], /--recipe must be one of ensemble, student/],
      [['--alpha', '0.5'], /belong to --recipe student/],
      [['--unlabelled', csv], /belong to --recipe student/],
      [['--recipe', 'student', '--alpha', '2', '--out', path.join(dir, 's')], /--alpha must be between 0 and 1/],
      [['--recipe', 'student', '--label-noise', 'burn', '--out', path.join(dir, 's')], /--label-noise must be one of keep, drop, reweight/],
      [['--recipe', 'student', '--teacher', dir, '--out', dir], /config\.json: file not found/],
      [['--recipe', 'student', '--out', path.join(PROJECT_ROOT, 'models', 'sentiment')], /is the teacher's folder/],
    ];
    for (const [args, msg] of cases) {
      const r = run(['train', 'sentiment', '--data', csv, ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.match(msg);
    }
  });
});

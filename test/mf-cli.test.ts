import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { lowRankRatings, movielensLines, tmpDir, writeTinyStore } from './mf-helpers';

const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');

function copydesk(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, COPYDESK_QUIET: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mf CLI (the real copydesk command)', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = tmpDir('mf-cli-');
    const { train, test } = lowRankRatings(40, 30, 2, 0.6, 5);
    fs.writeFileSync(path.join(dir, 'tiny.base'), movielensLines(train));
    fs.writeFileSync(path.join(dir, 'tiny.test'), movielensLines(test));
    writeTinyStore(path.join(dir, 'store'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('eval mf (explicit) prints one JSON object and writes user<TAB>item<TAB>prediction lines', () => {
    const preds = path.join(dir, 'preds.tsv');
    const r = copydesk(['eval', 'mf', '--train', path.join(dir, 'tiny.base'), '--test', path.join(dir, 'tiny.test'), '--format', 'movielens', '--epochs', '20', '--json', '--predictions-out', preds]);
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.have.length(1);
    const out = JSON.parse(lines[0]);
    expect(out).to.include.keys('rmse', 'mae', 'n', 'train_seconds');
    const testLines = fs.readFileSync(path.join(dir, 'tiny.test'), 'utf8').trim().split('\n');
    expect(out.n).to.equal(testLines.length);
    expect(out.rmse).to.be.lessThan(1);
    const p = fs.readFileSync(preds, 'utf8').trim().split('\n');
    expect(p).to.have.length(out.n);
    // the RMSE can be recomputed from the file
    const truth = testLines.map((l) => Number(l.split('\t')[2]));
    const got = p.map((l) => l.split('\t'));
    expect(got.every((f) => f.length === 3)).to.equal(true);
    const rmse = Math.sqrt(got.reduce((s, f, k) => s + (Number(f[2]) - truth[k]) ** 2, 0) / got.length);
    expect(rmse).to.be.closeTo(out.rmse, 1e-3);
  });

  it('eval mf --implicit --split leave-last ranks and writes top-10 lines; train mf + profile work on a store', () => {
    const preds = path.join(dir, 'top.tsv');
    const r = copydesk(['eval', 'mf', '--data', path.join(dir, 'store'), '--format', 'store', '--implicit', '--split', 'leave-last', '--factors', '8', '--epochs', '10', '--json', '--predictions-out', preds]);
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out).to.include.keys('ndcg10', 'precision10', 'recall10', 'hit10', 'n', 'train_seconds', 'baseline');
    const p = fs.readFileSync(preds, 'utf8').trim().split('\n');
    expect(p).to.have.length(out.n);
    expect(p[0].split('\t')[1].split(',')).to.have.length(10);

    const modelDir = path.join(dir, 'model');
    const t = copydesk(['train', 'mf', '--data', path.join(dir, 'store', 'events.csv'), '--format', 'store', '--implicit', '--factors', '8', '--epochs', '10', '--out', modelDir]);
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.equal('');
    for (const f of ['model.json', 'weights.bin', 'model_card.md']) expect(fs.existsSync(path.join(modelDir, f)), f).to.equal(true);
    const prof = copydesk(['profile', '--user', 'u0', '--model', modelDir, '--json']);
    expect(prof.status, prof.stderr).to.equal(0);
    const profile = JSON.parse(prof.stdout);
    expect(profile.userId).to.equal('u0');
    expect(profile.attributes.slice(0, 3).map((e: { value: string }) => e.value)).to.include.members(['白色', '棉']);
  });

  it('bad input: one clear line on stderr, exit code 2, nothing on stdout', () => {
    const bad = path.join(dir, 'bad.base');
    fs.writeFileSync(bad, '1\t2\t4\t880000000\n1\t3\t9\t880000001\n');
    const r = copydesk(['eval', 'mf', '--train', bad, '--test', bad, '--json']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/bad\.base:2 \(field "rating"\): rating 9 is outside 1–5/);
    const u = copydesk(['eval', 'mf', '--train', bad, '--json']);
    expect(u.status).to.equal(2);
    expect(u.stderr).to.match(/--test/);
  });
});

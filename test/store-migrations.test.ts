/**
 * The SQLite store's migrations under concurrency: several processes opening one new store
 * file at the same moment (two bot replicas, campaign workers) all succeed, and every
 * migration is applied exactly once.
 */
import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openStore } from '../core/store/db';

const ROOT = path.resolve(__dirname, '..');

function openInChild(file: string): Promise<{ code: number | null; out: string }> {
  const script = `require(${JSON.stringify(path.join(ROOT, 'core/store/db.ts'))}).openStore(${JSON.stringify(file)}).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('store migrations', function () {
  this.timeout(120_000);

  it('six processes opening one new store at once all succeed; each migration runs once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-migrate-'));
    const file = path.join(dir, 'store.db');
    const results = await Promise.all(Array.from({ length: 6 }, () => openInChild(file)));
    for (const r of results) expect(r.code, r.out).to.equal(0);
    const db = openStore(file);
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
      expect(tables).to.include.members(['drafts', 'bot_outbox', 'campaigns', 'campaign_drafts']);
      expect(version).to.be.greaterThan(3);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Bench `bot` (`npm run bench -- bot`): the real bot (`copydesk bot`, HTTP mode,
 * drafting threads) in its own process on a fresh store, a loopback stand-in for
 * Slack's Web API, and 50 concurrent correctly signed `/copy` requests (3 drafts
 * each) sent at once. Records how many were acked within Slack's 3 s, the ack
 * latencies, /healthz latency while drafting, and the time until every drafts
 * message was posted. Target: all 50 acked within 3 s.
 */
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import type { BenchOptions } from '../apps/bench/index';
import { demoDir } from '../core/util/paths';

const ACK_LIMIT_MS = 3000;
const SECRET = 'bench-signing-secret';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A Web API stand-in that answers every method ok and timestamps each drafts message. */
async function standIn(): Promise<{ url: string; posts: number[]; close: () => Promise<void> }> {
  const posts: number[] = [];
  let ts = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const body = Buffer.concat(chunks).toString();
      if (method === 'chat.postMessage' && body.includes('blocks')) posts.push(Date.now());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(method === 'auth.test' ? { ok: true, user_id: 'UBOT', bot_id: 'B0', team_id: 'T0' } : { ok: true, ts: `1790000000.${String(++ts).padStart(6, '0')}`, channel: 'CBENCH', messages: [] }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, posts, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

function signedCommand(text: string, responseUrl: string): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({ command: '/copy', text, user_id: 'UBENCHREQ1', channel_id: 'CBENCH', team_id: 'T0', api_app_id: 'A0', response_url: responseUrl, trigger_id: crypto.randomBytes(8).toString('hex') }).toString();
  const t = Math.floor(Date.now() / 1000);
  const sig = `v0=${crypto.createHmac('sha256', SECRET).update(`v0:${t}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(t), 'x-slack-signature': sig } };
}

function firstCell(file: string): string {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/)[1].split(',')[0];
}

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const requests = opts.quick ? 5 : 50;
  const n = 3;
  const api = await standIn();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-bench-bot-'));
  const root = path.join(__dirname, '..');
  const child = spawn(process.execPath, [path.join(root, 'apps', 'cli', 'copydesk.js'), 'bot', '--env', path.join(dir, 'none.env')], {
    cwd: root,
    env: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-bench-token', SLACK_SIGNING_SECRET: SECRET, SLACK_APP_TOKEN: '', SLACK_API_URL: api.url, COPYDESK_REVIEWERS: 'UBENCHREV1', COPYDESK_DB: path.join(dir, 'bench.db'), PORT: '0', COPYDESK_PSEUDONYM_KEY: 'bench-key', NODE_ENV: 'bench' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  try {
    const t0 = Date.now();
    const port = await new Promise<number>((ok, fail) => {
      const onData = (d: Buffer) => { out.push(d.toString()); const m = /HTTP on port (\d+)/.exec(out.join('')); if (m) ok(Number(m[1])); };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => fail(new Error(`the bot exited (${code}): ${out.join('').slice(-500)}`)));
    });
    const startS = (Date.now() - t0) / 1000;
    const threads = Number(/on (\d+) drafting thread/.exec(out.join(''))?.[1] ?? NaN);
    const user = firstCell(path.join(demoDir(), 'users.csv'));
    const item = firstCell(path.join(demoDir(), 'items.csv'));
    const url = `http://127.0.0.1:${port}/slack/events`;
    const reqs = Array.from({ length: requests }, () => signedCommand(`user:${user} item:${item} n:${n}`, `${api.url.replace(/\/api\/$/, '')}/respond/x`));
    const sentAt = Date.now();
    const acks = reqs.map(async (r) => {
      const s = Date.now();
      const res = await fetch(url, { method: 'POST', headers: r.headers, body: r.body });
      const text = await res.text();
      return { ms: Date.now() - s, status: res.status, queued: /Queued, \d+ ahead/.test(text) };
    });
    const h0 = Date.now();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    await health.text();
    const healthMs = Date.now() - h0;
    const done = await Promise.all(acks);
    const deadline = Date.now() + 600_000;
    while (api.posts.length < requests && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const ackMs = done.map((d) => d.ms);
    const allPostedS = api.posts.length >= requests ? (Math.max(...api.posts) - sentAt) / 1000 : null;
    const within = done.filter((d) => d.status === 200 && d.ms < ACK_LIMIT_MS).length;
    return {
      requests,
      drafts_per_request: n,
      drafting_threads: threads,
      bot_start_seconds: Math.round(startS * 100) / 100,
      acked_within_3s: within,
      acked_ok: done.filter((d) => d.status === 200).length,
      acks_saying_queued: done.filter((d) => d.queued).length,
      ack_ms_p50: percentile(ackMs, 50),
      ack_ms_p95: percentile(ackMs, 95),
      ack_ms_max: Math.max(...ackMs),
      healthz_ms_during_load: healthMs,
      drafts_messages_posted: api.posts.length,
      seconds_until_all_posted: allPostedS === null ? null : Math.round(allPostedS * 10) / 10,
      posted_per_second: allPostedS ? Math.round((requests / allPostedS) * 100) / 100 : null,
      targets: { acked_within_3s: requests },
      pass: { acks: within === requests, all_posted: api.posts.length === requests },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (child.exitCode === null) child.kill('SIGKILL');
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

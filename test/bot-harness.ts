/**
 * Test harness for the Slack bot: a loopback HTTP server that stands in for
 * Slack's Web API (records calls, can answer 429 with Retry-After or an error),
 * requests signed exactly as Slack signs them, payload builders, and a helper
 * that starts the REAL Bolt app in HTTP mode on a loopback port.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { LogLevel } from '@slack/bolt';
import { openStore, type Db } from '../core/store/db';
import { createApp, EVENTS_PATH, type CopydeskApp } from '../bot/app';
import { loadConfig, secretsOf, type BotConfig } from '../bot/config';
import type { BotCopywriter } from '../bot/copywriter';
import { RedactingLogger } from '../bot/logger';

export const SECRETS = {
  botToken: 'xoxb-111-222-TESTBOTTOKENabcdef',
  signingSecret: 'test-signing-secret-0f1e2d3c4b5a',
  appToken: 'xapp-1-A111-333-TESTAPPTOKEN',
};
export const REVIEWER = 'UREVIEWER1';
export const REVIEWER2 = 'UREVIEWER2';
export const OUTSIDER = 'UOUTSIDER9';
/** Asks for copy (marketing); not a reviewer, so reviewers approve someone else's request (self-approval is off by default). */
export const REQUESTER = 'UMARKETER1';
export const CHANNEL = 'CMARKETING';

// ---------------- fake Slack Web API ----------------

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** 200 answered ok; 429 rate-limited; 500 server error; 299 answered ok:false with a planned error. */
  status: number;
  authorization?: string;
}

/** `hang`: the call is recorded and never answered (a process killed while waiting); `posted` says whether Slack kept the message. */
type Planned = { status: 429; retryAfter: number } | { status: 200; error: string } | { status: 500 } | { status: 'hang'; posted: boolean };

/** A message the stand-in holds (answered chat.postMessage, or a hung one that "reached Slack"). */
export interface HeldMessage { channel: string; ts: string; thread_ts?: string; text?: string; metadata?: { event_type?: string; event_payload?: unknown } }

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  /** Messages posted so far (what conversations.history / conversations.replies return). */
  readonly messages: HeldMessage[] = [];
  private hung: http.ServerResponse[] = [];
  private server?: http.Server;
  private plans = new Map<string, Planned[]>();
  private tsCounter = 0;
  url = '';
  /** Extra methods (e.g. apps.connections.open for Socket Mode). */
  readonly extra: Record<string, (params: Record<string, unknown>) => Record<string, unknown>> = {};

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    for (const r of this.hung.splice(0)) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => this.server?.close(() => ok()));
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** The next calls of `method` get these answers (in order), then normal answers again. */
  plan(method: string, ...answers: Planned[]): void {
    this.plans.set(method, [...(this.plans.get(method) ?? []), ...answers]);
  }

  of(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Waits until `pred` holds over the recorded calls. */
  async waitFor<T>(pred: () => T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; calls: ${this.calls.map((c) => `${c.method}:${c.status}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits until no call has arrived for `quietMs`. */
  async settle(quietMs = 150): Promise<void> {
    let n = -1;
    while (n !== this.calls.length) {
      n = this.calls.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const type = req.headers['content-type'] ?? '';
      let params: Record<string, unknown> = {};
      if (type.includes('json')) params = raw ? JSON.parse(raw) : {};
      else for (const [k, v] of new URLSearchParams(raw)) params[k] = /^[[{]/.test(v) ? safeJson(v) : v;
      const method = (req.url ?? '').replace(/^\/api\//, '').replace(/^\//, '').split('?')[0];
      const planned = this.plans.get(method)?.shift();
      if (planned?.status === 'hang') {
        this.calls.push({ method, params, at: Date.now(), status: 0, authorization: req.headers.authorization });
        if (planned.posted && method === 'chat.postMessage') this.hold(params);
        this.hung.push(res);
        return;
      }
      const status = planned?.status ?? 200;
      this.calls.push({ method, params, at: Date.now(), status: planned && 'error' in planned ? 299 : status, authorization: req.headers.authorization });
      if (planned?.status === 429) {
        res.writeHead(429, { 'retry-after': String(planned.retryAfter), 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      if (planned?.status === 500) {
        res.writeHead(500);
        res.end('oops');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(planned && 'error' in planned ? { ok: false, error: planned.error } : this.answer(method, params)));
    });
  }

  private hold(p: Record<string, unknown>): HeldMessage {
    const m: HeldMessage = { channel: String(p.channel), ts: `1790000000.${String(++this.tsCounter).padStart(6, '0')}`, thread_ts: p.thread_ts ? String(p.thread_ts) : undefined, text: p.text as string | undefined, metadata: p.metadata as HeldMessage['metadata'] };
    this.messages.push(m);
    return m;
  }

  /** Drafts messages (with buttons) among the calls of chat.postMessage, answered or hung. */
  draftPosts(): ApiCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage' && c.params.blocks !== undefined);
  }

  private answer(method: string, p: Record<string, unknown>): Record<string, unknown> {
    if (this.extra[method]) return this.extra[method](p);
    switch (method) {
      case 'auth.test': return { ok: true, url: 'https://copydesk-test.slack.com/', team: 'Copydesk Test', user: 'copydesk', team_id: 'T0TEST', user_id: 'UBOTUSER', bot_id: 'B0BOT' };
      case 'chat.postMessage': return { ok: true, channel: p.channel, ts: this.hold(p).ts, message: { text: p.text } };
      case 'conversations.history': return { ok: true, has_more: false, messages: this.messages.filter((m) => m.channel === p.channel && !m.thread_ts).reverse() };
      case 'conversations.replies': return { ok: true, has_more: false, messages: this.messages.filter((m) => m.channel === p.channel && m.thread_ts === p.ts) };
      case 'chat.update': return { ok: true, channel: p.channel, ts: p.ts, text: p.text };
      case 'chat.postEphemeral': return { ok: true, message_ts: `1790000000.9${String(++this.tsCounter).padStart(5, '0')}` };
      case 'views.open': return { ok: true, view: { id: 'V0EDIT' } };
      case 'views.publish': return { ok: true, view: { id: 'V0HOME' } };
      default:
        if (method.startsWith('respond/')) return { ok: true };
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

// ---------------- signed requests ----------------

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  secret?: string;
  timestamp?: number;
  signature?: string;
  retryNum?: number;
  contentType?: string;
}

export async function send(port: number, body: string, o: SendOptions = {}): Promise<{ status: number; body: string; ms: number }> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': o.signature ?? sign(o.secret ?? SECRETS.signingSecret, ts, body),
  };
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const t0 = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}${EVENTS_PATH}`, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text(), ms: Date.now() - t0 };
}

/**
 * Sends like `send`, but from a separate Node process, as Slack would: the time
 * to the HTTP response is then not delayed by model inference running on this
 * process's event loop (which is the bot's, not Slack's).
 */
export async function sendExternal(port: number, body: string, o: SendOptions = {}): Promise<{ status: number; body: string; ms: number; sentAt: number }> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers = { 'content-type': o.contentType ?? 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': o.signature ?? sign(o.secret ?? SECRETS.signingSecret, ts, body) };
  const script = `const [url, h, b] = process.argv.slice(1); const t0 = Date.now();
    fetch(url, { method: 'POST', headers: JSON.parse(h), body: b }).then(async (r) => { const text = await r.text(); process.stdout.write(JSON.stringify({ status: r.status, body: text, ms: Date.now() - t0, sentAt: t0 })); });`;
  const { execFile } = require('child_process') as typeof import('child_process');
  return new Promise((ok, fail) => execFile(process.execPath, ['-e', script, `http://127.0.0.1:${port}${EVENTS_PATH}`, JSON.stringify(headers), body], (err, stdout) => (err ? fail(err) : ok(JSON.parse(stdout)))));
}

export function slashCommandBody(fake: FakeSlack, text: string, user = REQUESTER, channel = CHANNEL): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token', team_id: 'T0TEST', team_domain: 'copydesk-test', channel_id: channel, channel_name: 'marketing',
    user_id: user, user_name: user.toLowerCase(), command: '/copy', text, api_app_id: 'A0COPYDESK', is_enterprise_install: 'false',
    response_url: `${fake.url}/respond/${crypto.randomBytes(4).toString('hex')}`, trigger_id: `13345224609.738474920.${crypto.randomBytes(4).toString('hex')}`,
  }).toString();
}

export interface ClickOptions { user: string; actionId: string; draftId: string; channel?: string; messageTs: string; threadTs?: string }

export function blockActionPayload(o: ClickOptions): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: o.user, username: o.user.toLowerCase(), name: o.user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0COPYDESK', token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel ?? CHANNEL, is_ephemeral: false },
    trigger_id: `13345224609.738474920.${crypto.randomBytes(4).toString('hex')}`,
    team: { id: 'T0TEST', domain: 'copydesk-test' },
    channel: { id: o.channel ?? CHANNEL, name: 'marketing' },
    message: { type: 'message', ts: o.messageTs, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: 'drafts', user: 'UBOTUSER', bot_id: 'B0BOT' },
    response_url: 'http://127.0.0.1:9/unused',
    actions: [{ type: 'button', block_id: `actions:${o.draftId}`, action_id: o.actionId, value: o.draftId, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }],
  };
}

export function formPayload(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function viewSubmissionPayload(user: string, privateMetadata: string, text: string): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'copydesk-test' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0COPYDESK', token: 'deprecated-verification-token', trigger_id: `1.2.${crypto.randomBytes(4).toString('hex')}`,
    view: {
      id: 'V0EDIT', team_id: 'T0TEST', type: 'modal', callback_id: 'draft_edit_modal', private_metadata: privateMetadata,
      title: { type: 'plain_text', text: 'Edit draft' }, blocks: [], hash: 'h', root_view_id: 'V0EDIT', app_id: 'A0COPYDESK', bot_id: 'B0BOT',
      state: { values: { draft_text: { text: { type: 'plain_text_input', value: text } } } },
    },
    response_urls: [],
  };
}

export function eventBody(event: Record<string, unknown>, eventId = `Ev${crypto.randomBytes(5).toString('hex').toUpperCase()}`): string {
  return JSON.stringify({ token: 'deprecated', team_id: 'T0TEST', api_app_id: 'A0COPYDESK', event, type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), authorizations: [{ team_id: 'T0TEST', user_id: 'UBOTUSER', is_bot: true }] });
}

// ---------------- the real app on loopback ----------------

export function tempDbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-bot-'));
  return path.join(dir, 'copydesk.db');
}

export function testConfig(fake: FakeSlack, dbFile: string, extra: Record<string, string> = {}): BotConfig {
  const config = loadConfig({
    SLACK_BOT_TOKEN: SECRETS.botToken, SLACK_SIGNING_SECRET: SECRETS.signingSecret, SLACK_API_URL: fake.apiUrl,
    COPYDESK_REVIEWERS: `${REVIEWER}, ${REVIEWER2}`, COPYDESK_DB: dbFile, PORT: '0', ...extra,
  });
  return { ...config, retry: { retries: 3, minTimeout: 20, maxTimeout: 200 } };
}

export interface RunningBot {
  bot: CopydeskApp;
  port: number;
  db: Db;
  logLines: string[];
  stop(): Promise<void>;
}

/** Starts the real app; `threads` drafts on core's worker-thread pool (as the shipped bot does) instead of `copywriter`. */
export async function startBot(fake: FakeSlack, copywriter: (db: Db) => BotCopywriter | Promise<BotCopywriter>, opts: { db?: Db; dbFile?: string; env?: Record<string, string>; threads?: number } = {}): Promise<RunningBot> {
  const dbFile = opts.dbFile ?? tempDbFile();
  const db = opts.db ?? openStore(dbFile);
  const config = testConfig(fake, dbFile, opts.env);
  const logLines: string[] = [];
  // Debug level: the most verbose output is where a leaked secret would show.
  const logger = new RedactingLogger(secretsOf(config), LogLevel.DEBUG, (l) => logLines.push(l));
  const cw = opts.threads ? await pooledTestCopywriter(opts.threads)(db, dbFile) : await copywriter(db);
  const bot = createApp({ config, copywriter: cw, db, logger });
  const { port } = await bot.start();
  return { bot, port: port!, db, logLines, stop: async () => { await bot.stop(); await cw.close?.(); } };
}

/** The copywriter the bot runs: drafting on worker threads (the shipped models, loaded once per thread) on this store file. */
export function pooledTestCopywriter(threads = 1): (db: Db, dbFile: string) => Promise<BotCopywriter> {
  const { startPooledCopywriter } = require('../bot/copywriter') as typeof import('../bot/copywriter');
  return (db, dbFile) => startPooledCopywriter(db, { dbFile, pseudonymKey: 'bot-test-key', threads });
}

// ---------------- the real bot in its own process (kill -9 tests) ----------------

export interface BotProcess {
  child: import('child_process').ChildProcess;
  port: number;
  output: string[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `copydesk bot` (bot/main.ts runBot: drafting threads, recovery at start) as a separate process on this store file. */
export async function spawnBot(fake: FakeSlack, dbFile: string, extra: Record<string, string> = {}): Promise<BotProcess> {
  const { spawn } = require('child_process') as typeof import('child_process');
  const env = {
    ...process.env, SLACK_BOT_TOKEN: SECRETS.botToken, SLACK_SIGNING_SECRET: SECRETS.signingSecret, SLACK_API_URL: fake.apiUrl, SLACK_APP_TOKEN: '',
    COPYDESK_REVIEWERS: `${REVIEWER},${REVIEWER2}`, COPYDESK_DB: dbFile, PORT: '0', COPYDESK_PSEUDONYM_KEY: 'bot-test-key', COPYDESK_DRAFT_THREADS: '1', NODE_ENV: 'test', ...extra,
  };
  const script = `require(${JSON.stringify(path.join(ROOT, 'bot', 'main'))}).runBot({ envFile: '/nonexistent/.env' }).catch((e) => { console.error(String(e)); process.exit(2); });`;
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`bot process did not start: ${output.join('')}`)), 60_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      const m = /HTTP on port (\d+)/.exec(output.join(''));
      if (m) { clearTimeout(timer); ok(Number(m[1])); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`bot process exited (${code}): ${output.join('')}`)); });
  });
  return { child, port, output, exited };
}

/** kill -9, and wait until the process is gone. */
export async function killHard(p: BotProcess): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

/** The blocks of a recorded chat.postMessage / chat.update call. */
export function blocksOf(call: ApiCall): Array<Record<string, any>> {
  const b = call.params.blocks;
  return (typeof b === 'string' ? JSON.parse(b) : b) as Array<Record<string, any>>;
}

export function buttonsOf(call: ApiCall): Array<{ action_id: string; value: string }> {
  return blocksOf(call).filter((b) => b.type === 'actions').flatMap((b) => b.elements);
}

// ---------------- copywriter ----------------

export interface CopywriterOptions {
  /** Makes the generator throw while it returns true (generation-error tests). */
  failGenerate?: () => boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PipelineDeps = any;

function withFailingGenerator(deps: PipelineDeps, opts: CopywriterOptions): PipelineDeps {
  if (!opts.failGenerate) return deps;
  const real = deps.generator;
  return { ...deps, generator: { generate: (req: unknown) => (opts.failGenerate!() ? Promise.reject(new Error('generator crashed (test)')) : real.generate(req)) } };
}

function fromDeps(deps: PipelineDeps, db: Db, opts: CopywriterOptions): BotCopywriter {
  const { createCopywriter } = require('../core/copywriter/pipeline');
  const { recordDecision } = require('../core/copywriter/strategy');
  const { adaptPipeline } = require('../bot/copywriter');
  return adaptPipeline(createCopywriter({ ...withFailingGenerator(deps, opts), db }), db, recordDecision);
}

/**
 * The pipeline (core/copywriter/pipeline: templates, 广告法 rewrite, bandit,
 * storage, regenerate) on small hand-made model ports. Used only when the
 * shipped models are not in models/ (see testCopywriter).
 */
export function bridgeCopywriter(db: Db, opts: CopywriterOptions = {}): BotCopywriter {
  const { seededRng } = require('../core/util/random');
  const items = [
    { itemId: 'SKU-1042', title: '雪纺碎花连衣裙', category: '连衣裙', attributes: [{ key: '类型', value: '裙' }, { key: '材质', value: '雪纺' }, { key: '风格', value: '清新' }, { key: '颜色', value: '白色' }], price: 199 },
    { itemId: 'SKU-2001', title: '牛仔阔腿裤', category: '裤子', attributes: [{ key: '类型', value: '裤' }, { key: '材质', value: '牛仔布' }, { key: '风格', value: '休闲' }], price: 159 },
  ];
  const reviews: Record<string, Array<{ itemId: string; text: string; rating: number }>> = {
    'u-381': [{ itemId: 'SKU-2001', text: '裤子好看但是尺码偏小', rating: 2 }],
    'u-7': [],
  };
  const pools = ['轻盈飘逸的{v}面料，穿上去清爽透气', '{v}材质柔软亲肤，夏天穿很舒服', '这款{v}单品版型利落，日常通勤都合适', '精致的{v}设计，细节处见用心', '{v}元素点缀，气质温柔又大方', '{v}搭配小白鞋，周末出游刚刚好', '经典{v}款式，怎么穿都不出错'];
  return fromDeps({
    store: { hasUser: (u: string) => u in reviews, item: (id: string) => items.find((i) => i.itemId === id), reviewsBy: (u: string) => reviews[u] ?? [], boughtBy: () => new Set<string>() },
    preference: {
      recommend: () => items.map((i, k) => ({ itemId: i.itemId, score: 1 - k / 10 })),
      score: () => 0.5,
      tasteProfile: (userId: string) => ({ userId, coldStart: false, categories: [{ key: 'category', value: '连衣裙', score: 0.9, evidence: [] }],
        attributes: [{ key: '材质', value: '雪纺', score: 0.9, evidence: [{ itemId: 'SKU-9', event: 'buy' }] }, { key: '风格', value: '清新', score: 0.7, evidence: [] }] }),
    },
    sentiment: { analyze: async (texts: string[]) => texts.map((t) => ({ label: t.includes('偏小') ? 'negative' : 'positive', probability: t.includes('偏小') ? 0.1 : 0.9, aspects: t.includes('偏小') ? [{ aspect: '尺码', polarity: 'negative', evidence: '尺码偏小' }] : [] })) },
    generator: {
      async generate(req: { attrs: string; n: number; seed?: number; prefer?: string[] }) {
        const v = req.prefer?.[0] ?? '百搭';
        return Array.from({ length: req.n }, (_, i) => ({ text: pools[((req.seed ?? 0) + i) % pools.length].replace('{v}', v), score: 1 - i * 0.1 }));
      },
    },
    pseudonymKey: 'bot-test-key', rng: seededRng(11),
  }, db, opts);
}

const ROOT = path.join(__dirname, '..');
const REAL_MODELS = ['mf', 'sentiment', 'generator'];

/** True when the shipped models and the demo store are here, so tests drive the real pipeline. */
export function realPipelineAvailable(): boolean {
  if (process.env.COPYDESK_BOT_TEST_BRIDGE === '1') return false;
  return REAL_MODELS.every((m) => fs.existsSync(path.join(ROOT, 'models', m))) && fs.existsSync(path.join(ROOT, 'data', 'demo', 'users.csv'));
}

let realDeps: Promise<PipelineDeps> | undefined;
/** Loads the shipped models once (loadCopywriter); each test gets its own pipeline on its own temp store. */
async function loadRealDeps(): Promise<PipelineDeps> {
  realDeps ??= (async () => {
    const { loadCopywriter } = require('../core/copywriter');
    const cw = await loadCopywriter({ db: openStore(':memory:'), pseudonymKey: 'bot-test-key' });
    return cw.deps;
  })();
  return realDeps;
}

function firstDataCell(file: string): string {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/)[1].split(',')[0];
}

export interface TestCopywriter { make: (db: Db, opts?: CopywriterOptions) => Promise<BotCopywriter>; real: boolean; user: string; item: string }

/** The real pipeline (shipped models, demo store) when it is here; else the pipeline on bridge ports (the test titles say which). */
export function testCopywriter(): TestCopywriter {
  if (realPipelineAvailable()) {
    return {
      make: async (db, opts = {}) => fromDeps(await loadRealDeps(), db, opts),
      real: true,
      user: firstDataCell(path.join(ROOT, 'data', 'demo', 'users.csv')),
      item: firstDataCell(path.join(ROOT, 'data', 'demo', 'items.csv')),
    };
  }
  return { make: async (db, opts = {}) => bridgeCopywriter(db, opts), real: false, user: 'u-381', item: 'SKU-1042' };
}

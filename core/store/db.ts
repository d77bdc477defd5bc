/**
 * The SQLite store shared by the CLI, the copywriter and the Slack bot
 * (`COPYDESK_DB`, default ./copydesk.db): requests, drafts and their versions,
 * reviewer decisions, the audit log, the strategy bandit and campaign outcomes.
 *
 * Modules that need more tables add them in MIGRATIONS (append only: never edit
 * a migration that has shipped).
 */
import Database from 'better-sqlite3';
import * as path from 'path';

export type Db = Database.Database;
export type DraftStatus = 'pending' | 'approved' | 'rejected' | 'superseded';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,              -- cli | slack
    requested_by TEXT,                 -- Slack user id or cli
    channel TEXT, thread_ts TEXT,
    user_id TEXT NOT NULL, item_id TEXT, tone TEXT, n INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    request_id TEXT REFERENCES requests(id),
    user_id TEXT NOT NULL,             -- internal id; leaves the core only as user_pseudonym
    user_pseudonym TEXT NOT NULL,
    item_id TEXT NOT NULL,
    text TEXT NOT NULL,                -- current text (latest version)
    tone TEXT NOT NULL,
    strategy TEXT NOT NULL,
    segment TEXT NOT NULL,
    score REAL NOT NULL,
    compliance_json TEXT NOT NULL,
    explanation TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected','superseded')),
    version INTEGER NOT NULL DEFAULT 1,
    edited INTEGER NOT NULL DEFAULT 0,
    supersedes TEXT REFERENCES drafts(id),
    decided_by TEXT, decided_at TEXT,
    channel TEXT, message_ts TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX drafts_status ON drafts(status, created_at);
  CREATE INDEX drafts_request ON drafts(request_id);
  CREATE TABLE draft_versions (
    draft_id TEXT NOT NULL REFERENCES drafts(id),
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    edited_by TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, version)
  );
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    draft_id TEXT,
    before_json TEXT,
    after_json TEXT
  );
  CREATE TABLE bandit_arms (
    segment TEXT NOT NULL,
    strategy TEXT NOT NULL,
    alpha REAL NOT NULL DEFAULT 1,
    beta REAL NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (segment, strategy)
  );
  CREATE TABLE outcomes (
    draft_id TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('impression','click','conversion')),
    timestamp TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, event, timestamp)
  );
  `,
  // copywriter strategy bandit: the reward each draft has contributed, per source
  // (decision | outcomes), so every reward is applied once and can be revised.
  `
  CREATE TABLE bandit_feedback (
    draft_id TEXT NOT NULL REFERENCES drafts(id),
    kind TEXT NOT NULL,
    success REAL NOT NULL,
    failure REAL NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, kind)
  );
  `,
  // Slack bot delivery (written only by bot/outbox.ts): requests already received
  // (event ids, signed-body keys of commands) so a retry or replay changes nothing,
  // and the outbox of copy requests acked but not yet drafted or posted, finished at start.
  `
  CREATE TABLE bot_inbox (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE INDEX bot_inbox_received ON bot_inbox(received_at);
  CREATE TABLE bot_outbox (
    id TEXT PRIMARY KEY,               -- also the request id given to the copywriter
    requested_by TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread_ts TEXT,
    reply TEXT NOT NULL CHECK (reply IN ('ephemeral','thread')),
    request_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued','drafted','posting','posted','failed')),
    draft_ids_json TEXT,
    message_ts TEXT,
    error TEXT,
    claimed_by TEXT,                   -- host:pid of the process working on it
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX bot_outbox_state ON bot_outbox(state, created_at);
  `,
  // campaigns (core/campaign/tables.ts is their one writer; the same tables in PostgreSQL:
  // core/campaign/pg/001_campaigns.sql). One draft per campaign × user: campaign_drafts' key.
  `
  CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    items_json TEXT NOT NULL,
    segment TEXT NOT NULL,
    strategy_json TEXT NOT NULL,
    holdout REAL NOT NULL,
    limit_n INTEGER,
    store_dir TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('drafting','review','approved','rejected')),
    generation INTEGER NOT NULL DEFAULT 1,
    users INTEGER NOT NULL,
    holdout_users INTEGER NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE campaign_members (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    user_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    holdout INTEGER NOT NULL,
    control_id TEXT NOT NULL UNIQUE,
    PRIMARY KEY (campaign_id, user_id)
  );
  CREATE INDEX campaign_members_position ON campaign_members(campaign_id, position);
  CREATE TABLE campaign_pools (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    pool_key TEXT NOT NULL,
    strategy TEXT NOT NULL,
    bodies_json TEXT NOT NULL,
    seconds REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, pool_key)
  );
  CREATE TABLE campaign_drafts (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    user_id TEXT NOT NULL,
    draft_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
  );
  CREATE TABLE campaign_failures (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    user_id TEXT NOT NULL,
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
  );
  CREATE TABLE campaign_reviews (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    decision TEXT NOT NULL CHECK (decision IN ('approved','rejected')),
    sample_json TEXT NOT NULL,
    reasons TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
  );
  `,
];

/** Opens (and migrates) the store. `:memory:` works for tests. */
export function openStore(file: string = process.env.COPYDESK_DB ?? './copydesk.db'): Db {
  const db = new Database(file === ':memory:' ? file : path.resolve(file));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // One migration per write transaction, the version read inside it: two processes opening a new
  // store at once (two bot replicas, campaign workers) apply each migration exactly once.
  const step = db.transaction((): boolean => {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v >= MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${v + 1}`);
    return true;
  });
  while (step.immediate()) { /* next migration */ }
  return db;
}

/** The texts of the `limit` most recent drafts, oldest first. */
export function recentDraftTexts(db: Db, limit: number): string[] {
  const rows = db.prepare('SELECT text FROM (SELECT text, created_at, rowid AS r FROM drafts ORDER BY created_at DESC, r DESC LIMIT ?) ORDER BY created_at, r').all(limit) as Array<{ text: string }>;
  return rows.map((x) => x.text);
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Appends to the audit log. */
export function audit(db: Db, entry: { actor: string; action: string; draftId?: string; before?: unknown; after?: unknown }): void {
  db.prepare('INSERT INTO audit_log (at, actor, action, draft_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)').run(
    nowIso(), entry.actor, entry.action, entry.draftId ?? null,
    entry.before === undefined ? null : JSON.stringify(entry.before),
    entry.after === undefined ? null : JSON.stringify(entry.after),
  );
}

/**
 * Moves a draft out of `pending` exactly once: a conditional update, so duplicate
 * clicks, retries and concurrent requests change the state at most once.
 * Returns true when this call made the change.
 */
export function decideDraft(db: Db, draftId: string, to: Exclude<DraftStatus, 'pending'>, actor: string): boolean {
  return immediate(db, () => {
    const before = db.prepare('SELECT status FROM drafts WHERE id = ?').get(draftId) as { status: DraftStatus } | undefined;
    if (!before) return false;
    const at = nowIso();
    const res = db.prepare("UPDATE drafts SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(to, actor, at, draftId);
    if (res.changes !== 1) return false;
    audit(db, { actor, action: to, draftId, before: { status: before.status }, after: { status: to, at } });
    return true;
  });
}

/** True for SQLite's "database is locked / busy" errors (another connection holds the write lock). */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
}

/** Busy retries after busy_timeout has already waited: attempts and the first back-off (doubling). */
export const BUSY_RETRIES = { attempts: 5, firstMs: 50 };

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction (the write lock is taken at the start,
 * so two processes never deadlock upgrading a read lock, and busy_timeout applies),
 * retrying the whole transaction when SQLite still reports busy. Nested calls run
 * as savepoints of the outer transaction.
 */
export function immediate<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return db.transaction(fn)();
  for (let attempt = 0; ; attempt++) {
    try {
      return db.transaction(fn).immediate();
    } catch (e) {
      if (!isBusyError(e) || attempt >= BUSY_RETRIES.attempts) throw e;
      sleepSync(BUSY_RETRIES.firstMs * 2 ** attempt);
    }
  }
}

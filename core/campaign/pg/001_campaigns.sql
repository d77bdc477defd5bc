-- Campaign tables in PostgreSQL (the distributed store): the same columns as the SQLite
-- migration in core/store/db.ts, plus the subset of the draft store campaigns use
-- (drafts, draft_versions, outcomes, bandit). Applied once by core/campaign/pg.ts.
CREATE TABLE drafts (
  id TEXT PRIMARY KEY,
  request_id TEXT,
  user_id TEXT NOT NULL,
  user_pseudonym TEXT NOT NULL,
  item_id TEXT NOT NULL,
  text TEXT NOT NULL,
  tone TEXT NOT NULL,
  strategy TEXT NOT NULL,
  segment TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
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
CREATE TABLE draft_versions (
  draft_id TEXT NOT NULL REFERENCES drafts(id),
  version INTEGER NOT NULL,
  text TEXT NOT NULL,
  edited_by TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (draft_id, version)
);
CREATE TABLE bandit_arms (
  segment TEXT NOT NULL,
  strategy TEXT NOT NULL,
  alpha DOUBLE PRECISION NOT NULL DEFAULT 1,
  beta DOUBLE PRECISION NOT NULL DEFAULT 1,
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
CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  items_json TEXT NOT NULL,
  segment TEXT NOT NULL,
  strategy_json TEXT NOT NULL,
  holdout DOUBLE PRECISION NOT NULL,
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
  seconds DOUBLE PRECISION NOT NULL,
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

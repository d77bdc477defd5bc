-- The strategy bandit in PostgreSQL (the distributed store), so every worker reads the same
-- posteriors (bandit_arms, from 001) when it picks a pool's strategy: the reward each draft has
-- contributed per source (decision | outcomes), so every reward is applied once and can be
-- revised, and the audit log of imports. The same columns as the SQLite migrations in
-- core/store/db.ts; written only by core/copywriter/bandit-store.ts's steps.
CREATE TABLE bandit_feedback (
  draft_id TEXT NOT NULL REFERENCES drafts(id),
  kind TEXT NOT NULL,
  success DOUBLE PRECISION NOT NULL,
  failure DOUBLE PRECISION NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (draft_id, kind)
);
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  draft_id TEXT,
  before_json TEXT,
  after_json TEXT
);

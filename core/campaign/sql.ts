/**
 * The small SQL port campaigns run on, so one code path serves both deployments: the
 * embedded SQLite store (better-sqlite3, the same file as the drafts) and PostgreSQL (a `pg`
 * Pool). Statements use `?` placeholders; the PostgreSQL adapter numbers them ($1, $2 …).
 * Only portable SQL goes through it (TEXT/INTEGER/REAL columns, ON CONFLICT DO NOTHING).
 */
import type { Db } from '../store/db';

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding the server's lock on `key` for this transaction (PostgreSQL:
   * pg_advisory_xact_lock), so workers on other machines wait instead of doing the same work;
   * SQLite (one process) just runs it.
   */
  withLock<T>(key: string, fn: (q: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLite: synchronous underneath; transactions are serialised so async steps never interleave inside one. */
export function sqliteSql(db: Db, opts: { closeDb?: boolean } = {}): Sql {
  let chain: Promise<unknown> = Promise.resolve();
  const base = {
    dialect: 'sqlite' as const,
    async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      return db.prepare(sql).all(...params) as T[];
    },
    async run(sql: string, params: unknown[] = []): Promise<number> {
      return db.prepare(sql).run(...params).changes;
    },
  };
  const inTx: Sql = { ...base, tx: (fn) => fn(inTx), withLock: (_k, fn) => fn(inTx), close: async () => {} };
  let self: Sql;
  return (self = {
    ...base,
    withLock: (_key, fn) => fn(self),
    tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
      const next = chain.then(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const v = await fn(inTx);
          db.exec('COMMIT');
          return v;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      });
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      await chain;
      if (opts.closeDb) db.close();
    },
  });
}

/** `?` → `$1, $2, …` (the statements here have no `?` inside string literals). */
export function numberPlaceholders(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** PostgreSQL over a pg Pool (pooled connections; a transaction holds one client). */
export function postgresSql(pool: import('pg').Pool): Sql {
  const over = (c: PgQueryable): Omit<Sql, 'tx' | 'close' | 'withLock'> => ({
    dialect: 'postgres',
    async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await c.query(numberPlaceholders(sql), params)).rows as T[];
    },
    async run(sql: string, params: unknown[] = []): Promise<number> {
      return (await c.query(numberPlaceholders(sql), params)).rowCount ?? 0;
    },
  });
  const sql: Sql = {
    ...over(pool),
    withLock<T>(key: string, fn: (q: Sql) => Promise<T>): Promise<T> {
      return sql.tx(async (q) => {
        await q.all('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
        return fn(q);
      });
    },
    async tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const q: Sql = { ...over(client), tx: (f) => f(q), withLock: (_k, f) => f(q), close: async () => {} };
        const v = await fn(q);
        await client.query('COMMIT');
        return v;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  return sql;
}

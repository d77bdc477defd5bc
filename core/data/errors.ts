/** An input problem, located: which file, which line, which field. Printed without a stack trace. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}${field ? ` (field "${field}")` : ''}: ${problem}`);
    this.name = 'DataError';
  }
}

/** A row skipped under `--skip-bad`, with why. */
export interface SkippedRow {
  line: number;
  field?: string;
  problem: string;
}

/** Options every loader takes. */
export interface LoadOptions {
  /** Skip bad rows instead of refusing the file; the loader then reports each skipped row. */
  skipBad?: boolean;
  /** At most this many rows (after skipping). */
  limit?: number;
}

/** What every loader returns: the rows and the rows it skipped (empty unless skipBad). */
export interface Loaded<T> {
  rows: T[];
  skipped: SkippedRow[];
  file: string;
}

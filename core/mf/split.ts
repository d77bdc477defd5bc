/**
 * Leave-last split for implicit data, defined exactly:
 *  - for each user, the held-out event is their latest `cart` or `buy` event (largest
 *    timestamp; ties → the later row in the file); users without one are not evaluated;
 *  - the held-out item is that event's item; train drops every event of that user on that
 *    item and every event of that user after the held-out timestamp (no peeking ahead);
 *  - users left with no training events are not evaluated (nothing to rank from);
 *  - other users' events stay in train whatever their time.
 * Candidates at evaluation: every train item the user has no train event on.
 */
import type { Interaction, EventKind } from './data';

export interface LeaveLastSplit {
  train: Interaction[];
  /** user → held-out item. */
  test: Map<string, string>;
}

export function leaveLast(rows: Interaction[], target: EventKind[] = ['cart', 'buy']): LeaveLastSplit {
  const last = new Map<string, { row: number; ts: number }>();
  rows.forEach((r, k) => {
    if (!target.includes(r.event)) return;
    const cur = last.get(r.user);
    if (!cur || r.timestamp >= cur.ts) last.set(r.user, { row: k, ts: r.timestamp });
  });
  const test = new Map<string, string>();
  for (const [u, l] of last) test.set(u, rows[l.row].item);
  const train = rows.filter((r) => {
    const l = last.get(r.user);
    if (!l) return true;
    return r.item !== rows[l.row].item && r.timestamp <= l.ts;
  });
  const haveTrain = new Set(train.map((r) => r.user));
  for (const u of [...test.keys()]) if (!haveTrain.has(u)) test.delete(u);
  return { train, test };
}

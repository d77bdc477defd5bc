/**
 * Progress for long work: a bar with ETA on a terminal, a line every few seconds
 * elsewhere (CI logs, notebooks). Everything goes to stderr so stdout stays parseable.
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  /** Sets the count done so far and the values shown beside the bar (loss, accuracy…). */
  update(done: number, values?: Record<string, string | number>): void;
  stop(): void;
}

function fmt(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`)
    .join(' ');
}

export function createProgress(label: string, total: number, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || process.env.COPYDESK_QUIET === '1') return { update() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total} ETA {eta_formatted} {info}`, stream, hideCursor: true, etaBuffer: 50 },
      Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update: (done, values = {}) => bar.update(done, { info: fmt(values) }),
      stop: () => bar.stop(),
    };
  }
  const start = Date.now();
  let last = 0;
  let lastDone = 0;
  let lastValues: Record<string, string | number> = {};
  const line = (done: number) => {
    const elapsed = (Date.now() - start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    stream.write(`${label} ${done}/${total} (${((100 * done) / Math.max(1, total)).toFixed(0)}%) elapsed ${elapsed.toFixed(0)}s ETA ${Number.isFinite(eta) ? eta.toFixed(0) + 's' : '?'} ${fmt(lastValues)}\n`);
  };
  return {
    update(done, values = {}) {
      lastDone = done;
      lastValues = values;
      const now = Date.now();
      if (now - last > 5000 || done >= total) {
        last = now;
        line(done);
      }
    },
    stop() {
      if (lastDone < total) line(lastDone);
    },
  };
}

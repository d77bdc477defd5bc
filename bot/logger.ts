/**
 * The bot's logger (also handed to Bolt and its WebClient): one line per entry
 * on a sink (stderr by default), with every secret redacted: the configured
 * token and signing-secret values and anything shaped like a Slack token.
 */
import { LogLevel, type Logger } from '@slack/bolt';
import { inspect } from 'util';

const ORDER: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };
const TOKEN_SHAPES = [/xox[abposr]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /Bearer\s+[A-Za-z0-9._-]+/gi];

export type LogSink = (line: string) => void;

/** Replaces the given secret values and Slack token shapes with [redacted]. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  for (const re of TOKEN_SHAPES) out = out.replace(re, '[redacted]');
  return out;
}

function show(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof Error) return `${x.name}: ${x.message}`;
  return inspect(x, { depth: 4, breakLength: Infinity });
}

export class RedactingLogger implements Logger {
  private name = 'copydesk-bot';
  constructor(
    private readonly secrets: readonly string[],
    private level: LogLevel = LogLevel.INFO,
    private readonly sink: LogSink = (line) => process.stderr.write(`${line}\n`),
  ) {}

  private write(level: LogLevel, msg: unknown[]): void {
    if (ORDER[level] < ORDER[this.level]) return;
    this.sink(redact(`[${level.toUpperCase()}] ${this.name} ${msg.map(show).join(' ')}`, this.secrets));
  }
  debug(...msg: unknown[]): void { this.write(LogLevel.DEBUG, msg); }
  info(...msg: unknown[]): void { this.write(LogLevel.INFO, msg); }
  warn(...msg: unknown[]): void { this.write(LogLevel.WARN, msg); }
  error(...msg: unknown[]): void { this.write(LogLevel.ERROR, msg); }
  setLevel(level: LogLevel): void { this.level = level; }
  getLevel(): LogLevel { return this.level; }
  setName(name: string): void { this.name = name; }
}

export function logLevelFrom(text: string | undefined): LogLevel {
  const l = (text ?? '').toLowerCase();
  return (Object.values(LogLevel) as string[]).includes(l) ? (l as LogLevel) : LogLevel.INFO;
}

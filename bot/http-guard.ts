/**
 * The HTTP front door in front of Bolt's receiver: `GET /healthz`; request bodies
 * capped while they stream in (413 before a large body is read whole: by
 * Content-Length at once, else as soon as the count passes the cap); timestamps
 * more than 5 minutes in the future refused (401; Bolt itself only refuses stale
 * ones). The buffered body is handed to Bolt (`rawBody`), which checks the
 * signature as before, and its SHA-256 becomes the request's de-duplication key.
 */
import { createHash } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Logger } from '@slack/bolt';

/** Slack's signature window, both ways. */
export const TIMESTAMP_WINDOW_SEC = 5 * 60;

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface GuardOptions {
  eventsPath: string;
  maxBodyBytes: number;
  logger: Logger;
  now?: () => number;
}

function refuse(res: ServerResponse, status: number, text: string, req?: IncomingMessage): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
  res.end(text);
  // Stop reading whatever the client still sends.
  if (req) res.on('finish', () => req.destroy());
}

/** The SHA-256 (hex) of a request body: the key of a slash command in the inbox. */
export function bodyKey(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex');
}

export function guardedListener(bolt: RequestListener, o: GuardOptions): RequestListener {
  const now = o.now ?? Date.now;
  return (req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if (url === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (url !== o.eventsPath || req.method !== 'POST') return refuse(res, 404, 'not found');
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(ts) && ts > Math.floor(now() / 1000) + TIMESTAMP_WINDOW_SEC) {
      o.logger.warn('refused a request whose timestamp is more than 5 minutes in the future');
      return refuse(res, 401, 'timestamp in the future', req);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > o.maxBodyBytes) {
      o.logger.warn(`refused a request body of ${declared} bytes (limit ${o.maxBodyBytes})`);
      return refuse(res, 413, 'request body too large', req);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > o.maxBodyBytes) {
        over = true;
        chunks.length = 0;
        o.logger.warn(`refused a request body over ${o.maxBodyBytes} bytes`);
        refuse(res, 413, 'request body too large', req);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (over) return;
      // Bolt reads a request that already carries rawBody without reading the stream again.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = Buffer.concat(chunks);
      try {
        bolt(req, res);
      } catch (e) {
        o.logger.error(`the receiver failed on a request: ${(e as Error).message}`);
        refuse(res, 500, 'error');
      }
    });
  };
}

/**
 * Drafting off the main thread: a pool of worker threads, each loading the
 * copywriter once (draft-worker.ts) on its own connection to the same SQLite
 * file. At most `size` jobs run at once (one per thread); the rest wait in a
 * FIFO queue, whose length callers can show ("queued, N ahead"). A thread that
 * dies fails its job and is replaced. The main thread stays free for I/O (the
 * Slack bot acks every request while drafts are being written).
 */
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { DraftStateError, InvalidRequestError, UnknownEntityError, type Draft, type DraftRequest, type DraftResult } from '../domain/types';
import type { WorkerJob, WorkerReply, WorkerSetup } from './draft-worker';

export interface DraftPoolOptions extends WorkerSetup {
  /** Threads (default: CPUs − 1, at least 1, so one core stays with the main thread). */
  size?: number;
}

interface Pending {
  job: WorkerJob;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  loaded: boolean;
  busy?: Pending;
}

/** The default pool size on this machine. */
export function defaultPoolSize(): number {
  return Math.max(1, os.cpus().length - 1);
}

function rebuild(error: { name: string; message: string; kind?: string; entityId?: string; draftId?: string; status?: string }): Error {
  if (error.name === 'UnknownEntityError') return new UnknownEntityError(error.kind as 'user' | 'item', error.entityId ?? '');
  if (error.name === 'DraftStateError') return new DraftStateError(error.draftId ?? '', error.status ?? '');
  if (error.name === 'InvalidRequestError') return new InvalidRequestError(error.message);
  return Object.assign(new Error(error.message), { name: error.name });
}

const WORKER_FILE = path.join(__dirname, `draft-worker${path.extname(__filename)}`);

function spawn(setup: WorkerSetup): Worker {
  // From source (tests, tsx) the worker needs the TypeScript loader; compiled, it is plain JS.
  if (WORKER_FILE.endsWith('.ts')) {
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_FILE)});`, { eval: true, workerData: setup });
  }
  return new Worker(WORKER_FILE, { workerData: setup });
}

export class DraftPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: DraftPoolOptions) {
    this.size = Math.max(1, opts.size ?? defaultPoolSize());
    for (let i = 0; i < this.size; i++) this.slots.push(this.start());
  }

  /** Resolves when every thread has loaded the copywriter (rejects with the first load error). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Jobs waiting for a free thread. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Jobs being drafted now. */
  get running(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  draft(req: DraftRequest): Promise<DraftResult> {
    return this.submit({ id: this.nextId++, op: 'draft', req }) as Promise<DraftResult>;
  }

  regenerate(draftId: string, actor: string): Promise<Draft> {
    return this.submit({ id: this.nextId++, op: 'regenerate', draftId, actor }) as Promise<Draft>;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the drafting pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private submit(job: WorkerJob): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the drafting pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private start(): Slot {
    const worker = spawn(this.opts);
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<void>((ok, fail) => { readyResolve = ok; readyReject = fail; });
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready, loaded: false };
    worker.on('message', (m: WorkerReply) => {
      if (m.id === -1) {
        if (m.ok) { slot.loaded = true; readyResolve(); this.pump(); } else readyReject(rebuild(m.error));
        return;
      }
      const p = slot.busy;
      if (!p || p.job.id !== m.id) return;
      slot.busy = undefined;
      if (m.ok) p.resolve((m as { value: unknown }).value);
      else p.reject(rebuild(m.error));
      this.pump();
    });
    const died = (e: Error) => {
      const p = slot.busy;
      slot.busy = undefined;
      if (!slot.loaded) readyReject(e);
      p?.reject(e);
      const i = this.slots.indexOf(slot);
      // Replace a thread that died after loading (a crash while drafting); a thread that cannot load is not retried in a loop.
      if (!this.closed && i >= 0 && slot.loaded) this.slots[i] = this.start();
      else if (!this.closed && !slot.loaded) for (const q of this.queue.splice(0)) q.reject(e);
    };
    worker.on('error', died);
    worker.on('exit', (code) => { if (!this.closed && slot.busy) died(new Error(`drafting thread exited (${code})`)); });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy || !slot.loaded) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage(p.job);
    }
  }
}

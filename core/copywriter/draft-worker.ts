/**
 * The body of one drafting thread (see worker-pool.ts): loads the copywriter once
 * (its own SQLite connection to the shared store file), then answers `draft` and
 * `regenerate` jobs one at a time. Errors go back with their name and fields so
 * the pool can rebuild UnknownEntityError, DraftStateError and InvalidRequestError.
 */
import { parentPort, workerData } from 'worker_threads';
import type { Draft, DraftRequest, DraftResult } from '../domain/types';

export interface WorkerSetup {
  dbFile: string;
  pseudonymKey: string;
}

export type WorkerJob = { id: number; op: 'draft'; req: DraftRequest } | { id: number; op: 'regenerate'; draftId: string; actor: string };
export type WorkerReply =
  | { id: number; ok: true; value: DraftResult | Draft }
  | { id: number; ok: false; error: { name: string; message: string; kind?: string; entityId?: string; draftId?: string; status?: string } }
  | { id: -1; ok: true; ready: true }
  | { id: -1; ok: false; error: { name: string; message: string } };

interface Drafter {
  draft(req: DraftRequest): Promise<DraftResult>;
  regenerate(draftId: string, actor?: string): Promise<Draft>;
}

async function load(setup: WorkerSetup): Promise<Drafter> {
  const { loadCopywriter } = require('./load') as typeof import('./load');
  return loadCopywriter({ db: setup.dbFile, pseudonymKey: setup.pseudonymKey });
}

function errorOf(e: unknown): { name: string; message: string; kind?: string; entityId?: string; draftId?: string; status?: string } {
  const err = e as { name?: string; message?: string; kind?: string; id?: string; draftId?: string; status?: string };
  return { name: err?.name ?? 'Error', message: err?.message ?? String(e), kind: err?.kind, entityId: err?.id, draftId: err?.draftId, status: err?.status };
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  load(setup).then((cw) => {
    port.on('message', async (job: WorkerJob) => {
      try {
        const value = job.op === 'draft' ? await cw.draft(job.req) : await cw.regenerate(job.draftId, job.actor);
        port.postMessage({ id: job.id, ok: true, value } satisfies WorkerReply);
      } catch (e) {
        port.postMessage({ id: job.id, ok: false, error: errorOf(e) } satisfies WorkerReply);
      }
    });
    port.postMessage({ id: -1, ok: true, ready: true } satisfies WorkerReply);
  }, (e) => port.postMessage({ id: -1, ok: false, error: errorOf(e) } satisfies WorkerReply));
}

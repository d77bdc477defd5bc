import { initRuntime } from '../tf/runtime';

export async function backendName(): Promise<string> {
  return initRuntime();
}

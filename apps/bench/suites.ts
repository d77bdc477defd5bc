/** The list of bench suites: one line per suite module (apps/bench/<name>.ts). */
import { registerSuite } from './index';

export function loadSuites(): void {
  registerSuite('runtime', () => require('./runtime'));
  registerSuite('draft', () => require('./draft'));
  registerSuite('generator', () => require('./generator'));
  registerSuite('mf', () => require('./mf'));
  registerSuite('sentiment', () => require('./sentiment'));
  registerSuite('campaign', () => require('./campaign'));
}

// The fake MinerU service of the UI run. scripts/run-ui-tests.mjs starts it before code-server, so
// the workbench starts with mineru.apiBaseUrl/agentBaseUrl already pointing at it.
import type { FakeMinerU } from '../fake-mineru/server';
import { ui } from './context';

/** The run's fake service, with its request log cleared so a test sees only its own requests. */
export function useFakeMinerU(): FakeMinerU {
  const { fake } = ui();
  fake.requests.length = 0;
  return fake;
}

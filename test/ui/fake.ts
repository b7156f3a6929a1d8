// Starts the fake MinerU service for a UI test and points the workbench's user settings at it.
import type { FakeMinerU, FakeMinerUOptions } from '../fake-mineru/server';
import { startFakeMinerU } from '../fake-mineru/server';
import { ui } from './context';

/** Starts the fake, presets mineru.apiBaseUrl/agentBaseUrl to it; stopped when the UI run ends. */
export async function useFakeMinerU(options: FakeMinerUOptions = {}): Promise<FakeMinerU> {
  const fake = await startFakeMinerU(options);
  const context = ui();
  context.onCleanup(() => fake.close());
  context.setUserSettings({ 'mineru.apiBaseUrl': fake.apiBaseUrl, 'mineru.agentBaseUrl': fake.agentBaseUrl });
  return fake;
}

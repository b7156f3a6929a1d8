import type { Logger } from '../util/logger';
import { AgentService } from './agent/agentService';
import type { MinerUApi } from '../api/mineruApi';
import { PreciseService } from './precise/preciseService';
import type { ServiceSet } from '../tasks/service';

/** The two services of mineru.net over one API client: precise (token) and quick (agent). */
export function mineruServices(api: MinerUApi, logger: Logger): ServiceSet {
  return { precise: new PreciseService(api, logger), quick: new AgentService(api) };
}

import * as os from 'node:os';
import { systemClock } from '../util/clock';
import { silentLogger, type Logger } from '../util/logger';
import { AgentService } from './agent/agentService';
import type { MinerUApi } from '../api/mineruApi';
import { PreciseService } from './precise/preciseService';
import type { Service, ServiceSet } from '../tasks/service';
import { SelfHostedService } from './selfHosted/selfHostedService';

/**
 * The two services of mineru.net over one API client, precise (token) and quick (agent), and the
 * user's own server when one is given (else a self-hosted task fails: no server is set).
 */
export function mineruServices(api: MinerUApi, logger: Logger, selfHosted?: Service): ServiceSet {
  return {
    precise: new PreciseService(api, logger),
    quick: new AgentService(api),
    selfHosted: selfHosted ?? unconfiguredSelfHosted(),
  };
}

/** A self-hosted service without a server: every submission fails, saying so. */
function unconfiguredSelfHosted(): Service {
  return new SelfHostedService({
    connection: () => undefined,
    clock: systemClock,
    logger: silentLogger,
    downloadDir: os.tmpdir(),
    maxDownloadBytes: () => 0,
  });
}

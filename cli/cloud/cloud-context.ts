import type { CommandContext } from '../engine-runner.js';
import type { CloudClientsFactory } from './cloud-clients.js';
import type { PollOptions } from './wait-for-execution.js';

/**
 * What a verb gets in cloud mode besides the {@link CommandContext}: where its AWS clients come
 * from, how `--wait` polls, and the clock that names executions. All optional; `main` passes none.
 */
export interface CloudCommandContext extends CommandContext {
  /** @default awsCloudClients */
  readonly cloudClients?: CloudClientsFactory;
  /** @default 2 s, growing to 10 s, with real timers */
  readonly poll?: PollOptions;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

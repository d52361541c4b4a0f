import { parseBrokerConfig, type BrokerConfig } from '@tributary/metadata';
import type { FactoryProvider } from '@nestjs/common';
import { BROKER_OPTIONS, type StartBrokerOptions } from './broker-options';
import { CONTROLLER_QUORUM_VOTERS } from './controller-quorum-voters';

export const BROKER_CONFIG = Symbol('BROKER_CONFIG');

/**
 * The broker's typed config from Kafka-named entries; unknown or ill-typed ones fail the start
 * (INVALID_CONFIG). controller.quorum.voters is read by the module (controllerQuorumVoters), not here.
 */
export const brokerConfigProvider: FactoryProvider<BrokerConfig> = {
  provide: BROKER_CONFIG,
  useFactory: (options: StartBrokerOptions) =>
    parseBrokerConfig(Object.fromEntries(Object.entries(options.config ?? {}).filter(([name]) => name !== CONTROLLER_QUORUM_VOTERS))),
  inject: [BROKER_OPTIONS],
};

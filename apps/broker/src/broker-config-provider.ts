import { parseBrokerConfig, type BrokerConfig } from '@tributary/metadata';
import type { FactoryProvider } from '@nestjs/common';
import { BROKER_OPTIONS, type StartBrokerOptions } from './broker-options';

export const BROKER_CONFIG = Symbol('BROKER_CONFIG');

/**
 * The broker's typed config from Kafka-named entries; unknown or ill-typed ones fail the start
 * (INVALID_CONFIG).
 */
export const brokerConfigProvider: FactoryProvider<BrokerConfig> = {
  provide: BROKER_CONFIG,
  useFactory: (options: StartBrokerOptions) => parseBrokerConfig(options.config ?? {}),
  inject: [BROKER_OPTIONS],
};

import pino, { type Logger } from 'pino';

export const BROKER_LOGGER = Symbol('BROKER_LOGGER');

/** Structured JSON logs on stdout (pino); services never write to the console. */
export function createBrokerLogger(level = 'info'): Logger {
  return pino({ name: 'tributary-broker', level });
}

import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout (pino); services never write to the console. */
export function createRegistryLogger(level = 'info'): Logger {
  return pino({ name: 'tributary-schema-registry', level });
}

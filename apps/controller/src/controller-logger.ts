import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout (pino); services never write to the console. */
export function createControllerLogger(level = 'info'): Logger {
  return pino({ name: 'tributary-controller', level });
}

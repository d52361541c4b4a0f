import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { BrokerMetrics } from './broker-metrics';
import { BROKER_OPTIONS, DEFAULT_HOST, DEFAULT_METRICS_PORT, type StartBrokerOptions } from './broker-options';

/** Serves GET /metrics in Prometheus' text format on its own port. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private boundPort = -1;

  constructor(
    @Inject(BROKER_OPTIONS) private readonly options: StartBrokerOptions,
    @Inject(BrokerMetrics) private readonly metrics: BrokerMetrics,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (error: unknown) => {
          this.logger.error({ err: error }, 'collecting metrics failed');
          res.writeHead(500).end();
        },
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.metricsPort ?? DEFAULT_METRICS_PORT, this.options.host ?? DEFAULT_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

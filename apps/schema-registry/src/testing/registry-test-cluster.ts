import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@tributary/broker';
import { startSchemaRegistry } from '../start-schema-registry';
import type { RunningSchemaRegistry, StartSchemaRegistryOptions } from '../schema-registry-options';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or the text when it is not JSON. */
  body: unknown;
  text: string;
  headers: Headers;
}

/** A real broker (combined mode, temp dir) and schema registry instances on 127.0.0.1, ephemeral ports. */
export class RegistryTestCluster {
  private broker: RunningBroker | null = null;
  private brokerPort = 0;
  readonly registries: RunningSchemaRegistry[] = [];

  private constructor(
    private readonly dataDir: string,
    private readonly brokerConfig: Record<string, string>,
  ) {}

  /** `brokerConfig`: Kafka-named broker settings, e.g. schema.registry.url for broker-side validation. */
  static async start(brokerConfig: Record<string, string> = {}): Promise<RegistryTestCluster> {
    const cluster = new RegistryTestCluster(mkdtempSync(join(tmpdir(), 'tributary-registry-')), brokerConfig);
    await cluster.restartBroker();
    return cluster;
  }

  get bootstrapServers(): string {
    return `127.0.0.1:${this.brokerPort}`;
  }

  async restartBroker(): Promise<void> {
    await this.broker?.close();
    this.broker = await startBroker({ dataDir: this.dataDir, port: this.brokerPort, metricsPort: 0, controllerPort: 0, config: this.brokerConfig, logLevel: 'silent' });
    this.brokerPort = this.broker.port;
  }

  /** Starts one more registry instance against the broker. */
  async startRegistry(options: Partial<StartSchemaRegistryOptions> = {}): Promise<RunningSchemaRegistry> {
    const registry = await startSchemaRegistry({ bootstrapServers: this.bootstrapServers, port: 0, grpcPort: 0, logLevel: 'silent', ...options });
    this.registries.push(registry);
    return registry;
  }

  async stopRegistry(registry: RunningSchemaRegistry): Promise<void> {
    await registry.close();
    this.registries.splice(this.registries.indexOf(registry), 1);
  }

  async destroy(): Promise<void> {
    for (const registry of [...this.registries]) await this.stopRegistry(registry);
    await this.broker?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** One REST call as a Confluent client makes it (its media type unless headers say otherwise). */
export async function http(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a Protobuf schema text): keep the text.
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

import { Admin } from './admin';
import { Cluster } from './cluster';
import { Consumer, type ConsumerOptions } from './consumer';
import { Producer, type ProducerOptions } from './producer';

export interface TributaryOptions {
  /** "host:port", a comma-separated list of them, or an array. */
  bootstrapServers: string | string[];
  /** Deadline of admin and metadata calls. Default 30000. */
  requestTimeoutMs?: number;
}

/**
 * The entry point, as kafkajs's `new Kafka(...)`: each producer, consumer and admin it makes has
 * its own connections and metadata.
 */
export class Tributary {
  private readonly bootstrapServers: string[];
  private readonly requestTimeoutMs: number;

  constructor(options: TributaryOptions) {
    const servers = Array.isArray(options.bootstrapServers) ? options.bootstrapServers : options.bootstrapServers.split(',');
    this.bootstrapServers = servers.map((s) => s.trim()).filter((s) => s.length > 0);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Producers ask the broker to create unknown topics (it obeys auto.create.topics.enable). */
  producer(options: ProducerOptions = {}): Producer {
    return new Producer(this.cluster(true), options);
  }

  /** Coordinator calls of a subscribed consumer share the client's requestTimeoutMs unless the options name one. */
  consumer(options: ConsumerOptions = {}): Consumer {
    return new Consumer(this.cluster(false), { requestTimeoutMs: this.requestTimeoutMs, ...options });
  }

  admin(): Admin {
    return new Admin(this.cluster(false), { requestTimeoutMs: this.requestTimeoutMs });
  }

  private cluster(allowAutoTopicCreation: boolean): Cluster {
    return new Cluster({ bootstrapServers: this.bootstrapServers, requestTimeoutMs: this.requestTimeoutMs, allowAutoTopicCreation });
  }
}

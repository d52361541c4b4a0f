/**
 * The group's view of the topics its members subscribe to (Kafka's subscription metadata, the
 * ConsumerGroupPartitionMetadata record): for every subscribed topic that exists, its id and
 * partition count. It is recomputed from the cluster's topics on every heartbeat; when it
 * differs from the stored one (a topic matching a regex was created, partitions were added, a
 * topic was deleted or recreated) the group epoch is bumped and the assignment recomputed.
 *
 * A member's subscribed topics are then resolved against this stored view only: its names plus
 * the topics its regex matches, among the view's topics. Because the view holds every existing
 * topic any regex matches, that equals resolving against the cluster; and because it is
 * persisted, a coordinator that replays the log resolves exactly as the one that wrote it.
 */
import { isInternalTopic } from '@tributary/metadata';
import { compileTopicRegex } from './topic-regex';

/** What the coordinator needs to know of the cluster's topics; a MetadataImage fits as it is. */
export interface TopicsView {
  topicNames(): readonly string[];
  topic(name: string): { readonly topicId: string } | undefined;
  partitionCount(name: string): number | undefined;
}

export interface SubscribedTopic {
  readonly topicId: string;
  readonly numPartitions: number;
}

/** Topic name → id and partition count, names in ascending order. */
export type SubscriptionMetadata = ReadonlyMap<string, SubscribedTopic>;

export interface Subscription {
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex?: string;
}

/** Internal topics are never matched by a regex (Kafka skips them when resolving patterns). */
function regexMatches(regex: string, names: Iterable<string>): string[] {
  const compiled = compileTopicRegex(regex);
  return [...names].filter((name) => !isInternalTopic(name) && compiled.test(name));
}

export function computeSubscriptionMetadata(subscriptions: Iterable<Subscription>, topics: TopicsView): SubscriptionMetadata {
  const wanted = new Set<string>();
  const regexes = new Set<string>();
  for (const s of subscriptions) {
    for (const name of s.subscribedTopicNames) wanted.add(name);
    if (s.subscribedTopicRegex) regexes.add(s.subscribedTopicRegex);
  }
  if (regexes.size > 0) {
    const names = topics.topicNames();
    for (const regex of regexes) for (const name of regexMatches(regex, names)) wanted.add(name);
  }
  const out = new Map<string, SubscribedTopic>();
  for (const name of [...wanted].sort()) {
    const topic = topics.topic(name);
    const numPartitions = topics.partitionCount(name);
    if (topic && numPartitions !== undefined) out.set(name, { topicId: topic.topicId, numPartitions });
  }
  return out;
}

/** The stored view as a TopicsView: recomputing against it after a member leaves can only shrink it. */
export function subscriptionMetadataTopics(metadata: SubscriptionMetadata): TopicsView {
  return {
    topicNames: () => [...metadata.keys()],
    topic: (name) => metadata.get(name),
    partitionCount: (name) => metadata.get(name)?.numPartitions,
  };
}

/** The existing topics `subscription` covers, ascending. */
export function subscribedTopicsOf(subscription: Subscription, metadata: SubscriptionMetadata): string[] {
  const topics = new Set(subscription.subscribedTopicNames.filter((name) => metadata.has(name)));
  if (subscription.subscribedTopicRegex) for (const name of regexMatches(subscription.subscribedTopicRegex, metadata.keys())) topics.add(name);
  return [...topics].sort();
}

export function subscriptionMetadataEqual(a: SubscriptionMetadata, b: SubscriptionMetadata): boolean {
  if (a.size !== b.size) return false;
  for (const [name, topic] of a) {
    const other = b.get(name);
    if (!other || other.topicId !== topic.topicId || other.numPartitions !== topic.numPartitions) return false;
  }
  return true;
}

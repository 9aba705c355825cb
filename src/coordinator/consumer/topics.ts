/** One topic as the consumer coordinator sees the cluster metadata. */
export interface TopicImage {
  /** Kafka topic id (base64url, 22 characters). */
  readonly id: string;
  readonly name: string;
  readonly partitions: number;
}

/**
 * The topics that exist, by name and by id: the coordinator's view of the metadata (Kafka's
 * MetadataImage.topics()). The broker shell hands a new one over whenever a topic is created,
 * deleted or grows, and consumer groups subscribed to a changed topic move to a new epoch.
 */
export class TopicsImage {
  private readonly names = new Map<string, TopicImage>();
  private readonly ids = new Map<string, TopicImage>();

  constructor(topics: Iterable<TopicImage> = []) {
    for (const t of topics) {
      this.names.set(t.name, t);
      this.ids.set(t.id, t);
    }
  }

  byName(name: string): TopicImage | undefined {
    return this.names.get(name);
  }

  byId(id: string): TopicImage | undefined {
    return this.ids.get(id);
  }

  /** Every topic, sorted by name. */
  all(): TopicImage[] {
    return [...this.names.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get size(): number {
    return this.names.size;
  }
}

export const EMPTY_TOPICS_IMAGE = new TopicsImage();

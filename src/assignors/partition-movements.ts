import { JavaHashSet } from './java-hash-order.js';
import type { TP } from './sticky-input.js';

/**
 * Java's AbstractStickyAssignor.PartitionMovements: remembers, per topic, which partitions moved
 * from which member to which during one general-case rebalance, so that when a partition of a
 * topic should move back along a pair that already carried one, the partition that made the
 * earlier move is moved instead (avoiding ping-pong between two members).
 *
 * Which partition that is comes from `HashSet<TopicPartition>.iterator().next()` in Java, so the
 * sets here reproduce Java's HashSet iteration order.
 */
export class PartitionMovements {
  /** topic -> "src\u0000dst" -> partitions that moved along that pair. */
  private readonly byTopic = new Map<string, Map<string, JavaHashSet<TP>>>();
  /** partition -> its original owner and current owner in this rebalance. */
  private readonly moves = new Map<TP, { src: string; dst: string }>();

  private static pairKey(src: string, dst: string): string {
    return `${src}\u0000${dst}`;
  }

  private removeRecord(tp: TP): { src: string; dst: string } {
    const pair = this.moves.get(tp)!;
    this.moves.delete(tp);
    const topicMoves = this.byTopic.get(tp.topic)!;
    const key = PartitionMovements.pairKey(pair.src, pair.dst);
    const set = topicMoves.get(key)!;
    set.delete(tp);
    if (set.size === 0) topicMoves.delete(key);
    if (topicMoves.size === 0) this.byTopic.delete(tp.topic);
    return pair;
  }

  private addRecord(tp: TP, src: string, dst: string): void {
    this.moves.set(tp, { src, dst });
    let topicMoves = this.byTopic.get(tp.topic);
    if (topicMoves === undefined) this.byTopic.set(tp.topic, (topicMoves = new Map()));
    const key = PartitionMovements.pairKey(src, dst);
    let set = topicMoves.get(key);
    if (set === undefined) topicMoves.set(key, (set = new JavaHashSet<TP>((p) => p.hash)));
    set.add(tp);
  }

  movePartition(tp: TP, oldConsumer: string, newConsumer: string): void {
    if (this.moves.has(tp)) {
      const existing = this.removeRecord(tp);
      // A partition moving back to where it started leaves no record.
      if (existing.src !== newConsumer) this.addRecord(tp, existing.src, newConsumer);
    } else {
      this.addRecord(tp, oldConsumer, newConsumer);
    }
  }

  /** The partition to move when `tp` should go from `oldConsumer` to `newConsumer`. */
  partitionToMove(tp: TP, oldConsumer: string, newConsumer: string): TP {
    const topicMoves = this.byTopic.get(tp.topic);
    if (topicMoves === undefined) return tp;
    const earlier = this.moves.get(tp);
    const origin = earlier !== undefined ? earlier.src : oldConsumer;
    const reverse = topicMoves.get(PartitionMovements.pairKey(newConsumer, origin));
    if (reverse === undefined) return tp;
    return reverse.first()!;
  }
}

import type { Writer } from '../../protocol/writer.js';
import type { BodyEncoder } from './frames.js';

/**
 * Request bodies whose meaning hangs on a null array ("all topics"), which the generated encoders
 * cannot express yet: they substitute the default `[]` for null. Until the generator tells an
 * explicit null from an absent field, these two bodies are written here, field by field in the
 * order of Kafka's message definitions. Everything else goes through the generated codecs.
 */

/** Metadata v1+ with a null topic list: every topic (v0 means that with an empty list instead). */
export function metadataAllTopicsEncoder(allowAutoTopicCreation: boolean): BodyEncoder {
  return (w: Writer, version: number) => {
    const flex = version >= 9;
    w.arrayLength(version >= 1 ? -1 : 0, flex);
    if (version >= 4) w.bool(allowAutoTopicCreation);
    if (version >= 8 && version <= 10) w.bool(false);
    if (version >= 8) w.bool(false);
    if (flex) w.emptyTags();
  };
}

/** OffsetFetch v2+ with null topics: every committed offset of the group(s); v8+ batches groups. */
export function offsetFetchAllTopicsEncoder(groupIds: readonly string[], requireStable: boolean): BodyEncoder {
  return (w: Writer, version: number) => {
    if (version < 2) throw new Error('OffsetFetch for all topics needs version 2 or later');
    const flex = version >= 6;
    if (version <= 7) {
      if (groupIds.length !== 1) throw new Error(`OffsetFetch v${version} takes one group`);
      w.string(groupIds[0]!, flex);
      w.arrayLength(-1, flex);
    } else {
      w.arrayLength(groupIds.length, flex);
      for (const g of groupIds) {
        w.string(g, flex);
        if (version >= 9) {
          w.nullableString(null, flex);
          w.int32(-1);
        }
        w.arrayLength(-1, flex);
        w.emptyTags();
      }
    }
    if (version >= 7) w.bool(requireStable);
    if (flex) w.emptyTags();
  };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JavaHashSet, javaHashMapOrder, javaStringHash, javaTopicPartitionHash } from './java-hash-order.js';

// Expected values below were printed by a JVM (OpenJDK 17) for the same keys.

test('String#hashCode over UTF-16 code units with 32-bit wrap-around', () => {
  assert.equal(javaStringHash(''), 0);
  assert.equal(javaStringHash('hello'), 99162322);
  assert.equal(javaStringHash('consumer1'), -421004549);
  assert.equal(javaStringHash('\u{1F600}x'), 54959989); // a surrogate pair counts as two units
});

test('TopicPartition#hashCode', () => {
  assert.equal(javaTopicPartitionHash('topic', 0), 110547184);
  assert.equal(javaTopicPartitionHash('orders', 7), -1008769153);
});

test('HashMap iteration order of twenty member ids (capacity grows 16 -> 32)', () => {
  const keys = Array.from({ length: 20 }, (_, i) => `consumer${i + 1}`);
  const order = javaHashMapOrder(keys, javaStringHash);
  assert.deepEqual(order, [
    'consumer12', 'consumer11', 'consumer10', 'consumer20', 'consumer9', 'consumer8', 'consumer7',
    'consumer6', 'consumer19', 'consumer18', 'consumer17', 'consumer16', 'consumer15', 'consumer14',
    'consumer13', 'consumer5', 'consumer4', 'consumer3', 'consumer2', 'consumer1',
  ]);
});

test('HashMap grows instead of treeifying when one bucket passes 8 keys below capacity 64', () => {
  // Ten keys that share bucket 5 of a 16-slot table, then two more.
  const keys = ['k0', 'k70', 'k81', 'k92', 'k120', 'k131', 'k142', 'k153', 'k164', 'k175', 'a', 'b'];
  assert.deepEqual(javaHashMapOrder(keys, javaStringHash), ['a', 'b', 'k0', 'k70', 'k81', 'k92', 'k120', 'k131', 'k142', 'k153', 'k164', 'k175']);
});

test('HashSet first element after removals and a re-insertion', () => {
  const set = new JavaHashSet<string>(javaStringHash);
  for (let i = 0; i < 30; i++) set.add(`p${i}`);
  for (let i = 0; i < 25; i++) set.delete(`p${i}`);
  set.add('p3');
  assert.equal(set.size, 6);
  assert.equal(set.first(), 'p3');
  set.delete('p3');
  assert.equal(set.first(), 'p25');
  assert.equal(new JavaHashSet<string>(javaStringHash).first(), undefined);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTopicRegex } from './regex.js';

function matches(pattern: string, topic: string): boolean {
  const c = compileTopicRegex(pattern);
  if (!c.ok) throw new Error(`${pattern}: ${c.error}`);
  return c.regexp.test(topic);
}

function refused(pattern: string): string {
  const c = compileTopicRegex(pattern);
  assert.equal(c.ok, false, `${pattern} should be refused`);
  return (c as { error: string }).error;
}

describe('subscription regexes (RE2/J syntax, whole-name match)', () => {
  it('matches the whole topic name, as Matcher.matches() does', () => {
    assert.ok(matches('orders.*', 'orders-eu'));
    assert.ok(!matches('orders', 'orders-eu'));
    assert.ok(!matches('eu', 'orders-eu'));
    assert.ok(matches('a|b', 'b'));
    assert.ok(!matches('a|b', 'ab'));
  });

  it('reads flags, quoting, anchors and classes the way RE2 does', () => {
    assert.ok(matches('(?i)ORDERS-[a-c]+', 'orders-AbC'));
    assert.ok(matches('x(?i:ab)y', 'xABy'));
    assert.ok(!matches('x(?i:ab)y', 'XABy'));
    assert.ok(matches('\\Qa.b\\E', 'a.b'));
    assert.ok(!matches('\\Qa.b\\E', 'axb'));
    assert.ok(matches('\\Aa\\z', 'a'));
    assert.ok(matches('[[:digit:]]{3}', '123'));
    assert.ok(matches('[[:alpha:]_]+', 'ab_C'));
    assert.ok(matches('\\d+\\.\\w', '12.x'));
    assert.ok(matches('\\pL+', 'abc'));
    assert.ok(matches('\\p{Greek}+', 'αβγ'));
    assert.ok(matches('\\x41\\x{42}', 'AB'));
    assert.ok(matches('\\101', 'A'));
    assert.ok(matches('(?P<name>t)-\\d', 't-1'));
    assert.ok(matches('a{2,3}', 'aaa'));
    assert.ok(matches('a{', 'a{'), 'a brace that starts no repetition is a literal');
    assert.ok(matches('[]a]+', ']a'), 'a ] first in a class is a literal');
    assert.ok(matches('x]', 'x]'));
    assert.ok(matches('[^a]', '\n'), 'a negated class matches a newline');
    assert.ok(!matches('.', '\n'));
    assert.ok(matches('(?s).', '\n'));
    assert.ok(matches('(?U)a+', 'aa'));
  });

  it('refuses what RE2/J refuses: backreferences, lookaround, possessive and double repetition, bad syntax', () => {
    assert.match(refused('(a)\\1'), /backreferences/);
    assert.match(refused('a(?=b)'), /unsupported Perl syntax/);
    assert.match(refused('a(?!b)'), /unsupported Perl syntax/);
    assert.match(refused('(?<=a)b'), /unsupported Perl syntax/);
    assert.match(refused('a*+'), /bad repetition operator/);
    assert.match(refused('a**'), /bad repetition operator/);
    assert.match(refused('*a'), /missing argument/);
    assert.match(refused('a{1001}'), /invalid repeat count/);
    assert.match(refused('(ab'), /missing closing \)/);
    assert.match(refused('ab)'), /unexpected \)/);
    assert.match(refused('[ab'), /missing closing \]/);
    assert.match(refused('[z-a]'), /invalid character class range/);
    assert.match(refused('\\k'), /invalid escape/);
    assert.match(refused('\\p{NotAScript}'), /invalid character class range/);
    assert.match(refused('a\\'), /trailing backslash/);
  });
});

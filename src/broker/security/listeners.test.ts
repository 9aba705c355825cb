import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback, parseListeners, parseSecurityProtocolMap, principalFromSubject, resolveAdvertised } from './listeners.js';

test('listeners take Kafka endpoint syntax; names are protocols or mapped to one', () => {
  assert.deepEqual(parseListeners('PLAINTEXT://127.0.0.1:9092, SASL_SSL://:9093,ssl://[::1]:0'), [
    { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
    { name: 'SASL_SSL', securityProtocol: 'SASL_SSL', host: '0.0.0.0', port: 9093 },
    { name: 'SSL', securityProtocol: 'SSL', host: '::1', port: 0 },
  ]);
  const map = parseSecurityProtocolMap('INTERNAL:SASL_PLAINTEXT,EXTERNAL:SSL');
  assert.deepEqual(parseListeners('INTERNAL://localhost:1,EXTERNAL://0.0.0.0:2', map).map((l) => l.securityProtocol), ['SASL_PLAINTEXT', 'SSL']);
  assert.throws(() => parseListeners('INTERNAL://localhost:1'), /INTERNAL is not a security protocol/);
  assert.throws(() => parseListeners('PLAINTEXT://a:1,PLAINTEXT://b:2'), /appears twice/);
  assert.throws(() => parseListeners('PLAINTEXT:/a:1'), /"PLAINTEXT:\/a:1" is not NAME:\/\/host:port/);
  assert.throws(() => parseListeners('PLAINTEXT://a:70000'), /port 70000/);
  assert.throws(() => parseListeners(' '), /no listener given/);
  assert.throws(() => parseSecurityProtocolMap('A:TLS'), /"A:TLS" is not NAME:PROTOCOL/);
});

test('each listener advertises its own endpoint: explicit, else a reachable host and the bound port', () => {
  const listeners = parseListeners('PLAINTEXT://0.0.0.0:9092,SSL://10.1.2.3:9093,SASL_SSL://0.0.0.0:9094');
  const adv = resolveAdvertised(listeners, 'SASL_SSL://broker.example.com:443', undefined);
  assert.deepEqual(Object.fromEntries(adv), {
    PLAINTEXT: { host: '127.0.0.1', port: 0 },
    SSL: { host: '10.1.2.3', port: 0 },
    SASL_SSL: { host: 'broker.example.com', port: 443 },
  });
  assert.deepEqual(resolveAdvertised(listeners, undefined, 'kafka.local').get('SSL'), { host: 'kafka.local', port: 0 });
  assert.throws(() => resolveAdvertised(listeners, 'SASL_PLAINTEXT://x:1', undefined), /SASL_PLAINTEXT is not one of the listeners/);
});

test('loopback addresses and certificate subjects', () => {
  for (const h of ['127.0.0.1', '127.9.9.9', '::1', 'localhost']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) assert.ok(!isLoopback(h), h);
  assert.equal(principalFromSubject('C=US\nO=Samsa\nOU=Test\nCN=alice'), 'CN=alice,OU=Test,O=Samsa,C=US');
});

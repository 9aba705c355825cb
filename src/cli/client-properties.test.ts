import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties, securityFromProperties } from './client-properties.js';

test("Kafka tools' client.properties: SASL_SSL with SCRAM in sasl.jaas.config and PEM stores", () => {
  const p = parseProperties(`# secured cluster
bootstrap.servers=broker:9093
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
    username="alice" password="p\\"w";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/ca.pem
`);
  assert.deepEqual(securityFromProperties(p), {
    bootstrapServers: 'broker:9093',
    tls: { caFile: '/etc/ca.pem', certFile: undefined, keyFile: undefined, keyPassword: undefined, verifyHostname: true },
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'p"w' },
  });
});

test('librdkafka-style keys, plaintext, and refusals', () => {
  const rd = securityFromProperties(parseProperties('security.protocol=sasl_plaintext\nsasl.mechanisms=PLAIN\nsasl.username=bob\nsasl.password=x'));
  assert.deepEqual([rd.tls, rd.sasl], [null, { mechanism: 'PLAIN', username: 'bob', password: 'x' }]);
  assert.deepEqual(securityFromProperties(parseProperties('')), { tls: null, sasl: null });
  const ssl = securityFromProperties(parseProperties('security.protocol=SSL\nssl.ca.location=ca.pem\nssl.certificate.location=c.pem\nssl.key.location=k.pem\nssl.endpoint.identification.algorithm='));
  assert.deepEqual(ssl.tls, { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem', keyPassword: undefined, verifyHostname: false });
  assert.throws(() => securityFromProperties(parseProperties('security.protocol=SSL\nssl.truststore.location=t.jks')), /only PEM files/);
  assert.throws(() => securityFromProperties(parseProperties('security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI')), /GSSAPI is not supported/);
  assert.throws(() => securityFromProperties(parseProperties('security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN')), /needs sasl.jaas.config/);
});

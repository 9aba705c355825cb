// Shared test helpers. Each is small and documented where it is defined.
export { startTestBroker, type TestBroker, type TestBrokerOptions } from './broker.js';
export { spawnBroker, samsaCommand, type BrokerProcess } from './broker-process.js';
export { runProgram, runPython, runKcat, SYSTEM_PYTHON, type ProcessResult, type RunOptions } from './processes.js';
export { RawConnection, decodeResponseFrame } from './raw-client.js';
export { makeTempDir } from './temp-dir.js';
export { waitFor } from './wait-for.js';
export { readTopicRaw, readCommittedRaw, checkWorkload, workloadKey, workloadValue, type ReadRecord, type WorkloadCheck } from './records.js';
export { makeTestCertificates, type TestCertificates } from './certs.js';

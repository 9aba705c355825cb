/**
 * Settings of the transaction coordinator, named after Kafka's broker configs. Defaults are Kafka's.
 */
export interface TxnCoordinatorConfig {
  /** `transaction.max.timeout.ms`: the longest transaction timeout a producer may ask for. */
  transactionMaxTimeoutMs: number;
  /** `transactional.id.expiration.ms`: an idle transactional id (no transaction running) is forgotten after this. */
  transactionalIdExpirationMs: number;
  /** Producer ids reserved durably at a time (Kafka's controller hands out blocks of 1000). */
  producerIdBlockSize: number;
  /** The first id of the first block, used only when the log holds no block yet. */
  firstProducerId: number;
}

export const TXN_COORDINATOR_DEFAULTS: TxnCoordinatorConfig = {
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  producerIdBlockSize: 1000,
  firstProducerId: 0,
};

export function resolveTxnCoordinatorConfig(options: Partial<TxnCoordinatorConfig> = {}): TxnCoordinatorConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const c: TxnCoordinatorConfig = { ...TXN_COORDINATOR_DEFAULTS, ...defined };
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new RangeError(`invalid transaction coordinator option: ${message}`);
  };
  check(Number.isInteger(c.transactionMaxTimeoutMs) && c.transactionMaxTimeoutMs > 0, 'transactionMaxTimeoutMs must be a positive integer');
  check(Number.isSafeInteger(c.transactionalIdExpirationMs) && c.transactionalIdExpirationMs > 0, 'transactionalIdExpirationMs must be a positive integer');
  check(Number.isInteger(c.producerIdBlockSize) && c.producerIdBlockSize > 0, 'producerIdBlockSize must be a positive integer');
  check(Number.isSafeInteger(c.firstProducerId) && c.firstProducerId >= 0, 'firstProducerId must be a non-negative integer');
  return c;
}

import type { Command } from 'commander';
import { registerTransactionsAbort } from './abort.js';
import { registerTransactionsDescribe } from './describe.js';
import { registerTransactionsList } from './list.js';

/** `samsa transactions ...`: kafka-transactions.sh's list, describe and abort. */
export function registerTransactionsCommand(program: Command): void {
  const transactions = program.command('transactions').description('transactions: list, describe, abort');
  registerTransactionsList(transactions);
  registerTransactionsDescribe(transactions);
  registerTransactionsAbort(transactions);
}

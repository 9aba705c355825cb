import type { Command } from 'commander';

export function registerLabSimulate(lab: Command): void {
  void lab;
}

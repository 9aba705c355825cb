import type { Style } from '../output/style.js';

/** Group states in colour: settled green, rebalancing yellow, gone red. */
export function colourState(style: Style, text: string): string {
  const state = text.trim();
  if (state === 'Stable') return style.green(text);
  if (state === 'PreparingRebalance' || state === 'CompletingRebalance' || state === 'Assigning' || state === 'Reconciling') return style.yellow(text);
  if (state === 'Dead') return style.red(text);
  return text;
}

// The test object every spec uses: its baseURL is the server the harness started.
import { test as base, expect } from "@playwright/test";

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env.BASE_URL ?? "http://127.0.0.1:3000");
  },
});

export { expect };

/**
 * The instant the portal's clock showed when the suite started (E2E_NOW, set by global-setup.ts),
 * or undefined against a server the suite did not start (BASE_URL) when E2E_NOW is not given.
 */
export function suiteNow(): string | undefined {
  return process.env.E2E_NOW || undefined;
}

/**
 * What a deadline one calendar month after a request filed on the suite's day reads as, a few
 * seconds after filing, in Dutch: relative times count whole units rounded down, so a deadline
 * 29 days away is "over 28 dagen" a moment later, and 30 days or more is "over 1 maand". Written
 * out per day, not computed, so the page's own arithmetic is not the oracle. Without a known
 * instant (an outside server), any Dutch "in N days/1 month".
 */
export function dutchDeadlineWords(): string | RegExp {
  const now = suiteNow();
  if (!now) return /^over (\d+ (dag|dagen)|1 maand)$/;
  const day = now.slice(0, 10);
  const words: Record<string, string> = {
    "2027-01-31": "over 27 dagen", // due 28 February: 28 days
    "2027-02-28": "over 27 dagen", // due 28 March: 28 days
    "2028-02-29": "over 28 dagen", // due 29 March: 29 days
    "2027-04-30": "over 29 dagen", // due 30 May: 30 days
    "2026-12-02": "over 1 maand", // due 2 January: 31 days
    "2026-12-31": "over 1 maand", // due 31 January (or 1 February after midnight): 31 days
  };
  const expected = words[day];
  if (!expected) throw new Error(`no expected deadline wording for ${day}: add the day to dutchDeadlineWords`);
  return expected;
}

// The test object every spec uses: its baseURL is the server the harness started.
import { test as base, expect } from "@playwright/test";

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env.BASE_URL ?? "http://127.0.0.1:3000");
  },
});

export { expect };

import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll } from "vitest";
import { until } from "./until.ts";

/** Debian's chromium, driven by playwright-core: never a browser download. */
export const CHROMIUM = "/usr/bin/chromium";
/** Why a browser test is skipped here, if it is (for its name). */
export const chromiumSkip = existsSync(CHROMIUM) ? undefined : `skipped: Debian's chromium is not installed at ${CHROMIUM} (.ci/run installs it)`;

/**
 * A page opener for a test file: one headless chromium, started at the first page and closed
 * after the file's tests. The page's uncaught errors are pushed to `errors` from the start;
 * `before` sees the page before it loads (to listen to its requests, say).
 */
export function dashboardPages(): (url: string, errors: string[], before?: (page: Page) => void) => Promise<Page> {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });
  return async (url, errors, before) => {
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on("pageerror", (e) => errors.push(e.message));
    before?.(page);
    await page.goto(url);
    return page;
  };
}

/** The text of the first element `selector` finds, trimmed. */
export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").trim();
}

/** Waits until `selector` holds `pattern` (the dashboard redraws at most ~8 times a second). */
export async function shows(page: Page, selector: string, pattern: RegExp, ms = 15_000): Promise<void> {
  await until(async () => pattern.test(await text(page, selector)), ms).catch(async (e: Error) => {
    throw new Error(`${selector} never matched ${pattern}; it shows: ${await text(page, selector)}\n${e.message}`);
  });
}
